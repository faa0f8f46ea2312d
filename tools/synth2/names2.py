"""names2: the name lists of seen-synth2.

Every list here was written for this generator from general knowledge of
names common in England and in the communities listed; no published list
was copied, and the weights are invented (a larger weight, a commoner
name).  The mix of origins is deliberately not seen-synth's (tools/synth/
names.c: South Asian, Sikh, Polish, West African, Portuguese-speaking,
Romanian, East Asian, Turkish): here British and Irish names carry most
of the weight, beside Caribbean, Somali, Bangladeshi, Lithuanian,
Italian, Greek Cypriot, Bulgarian, Kurdish and Arabic, Filipino and
Vietnamese ones.  Every person in the output is invented.
"""

# origin: (weight, family names, girls' names, boys' names)
ORIGINS = {
    "british": (62, [
        ("Taylor", 9), ("Brown", 9), ("Wilson", 8), ("Johnson", 7),
        ("Walker", 7), ("Wright", 6), ("Robinson", 6), ("Thompson", 6),
        ("Hughes", 5), ("Edwards", 5), ("Green", 5), ("Hall", 5),
        ("Wood", 5), ("Harris", 5), ("Lewis", 5), ("Clarke", 4),
        ("Jackson", 4), ("Turner", 4), ("Hill", 4), ("Cooper", 4),
        ("Morris", 4), ("Ward", 4), ("Watson", 3), ("Baker", 3),
        ("Price", 3), ("Bennett", 3), ("Parker", 3), ("Shaw", 3),
        ("Richardson", 3), ("Marshall", 3), ("Ellis", 3), ("Griffiths", 3),
        ("Fletcher", 2), ("Lawson", 2), ("Hargreaves", 2), ("Sutcliffe", 2),
        ("Pickering", 2), ("Ackroyd", 1), ("Braithwaite", 1), ("Entwistle", 1),
        ("Murphy", 4), ("Kelly", 4), ("O'Brien", 3), ("Byrne", 3),
        ("Doyle", 2), ("McCarthy", 2), ("O'Neill", 2), ("Gallagher", 2),
        ("Campbell", 3), ("Stewart", 3), ("MacDonald", 2), ("Fraser", 2),
        ("Evans", 4), ("Jones", 8), ("Davies", 6), ("Williams", 7),
        ("Pritchard", 1), ("Llewellyn", 1), ("Ferguson", 2), ("Quinn", 2),
    ], [
        ("Amelia", 6), ("Isla", 6), ("Ava", 5), ("Ivy", 5), ("Freya", 5),
        ("Lily", 5), ("Florence", 4), ("Evie", 4), ("Poppy", 4),
        ("Elsie", 4), ("Grace", 4), ("Rosie", 3), ("Sophie", 4),
        ("Jessica", 4), ("Chloe", 4), ("Megan", 3), ("Lauren", 3),
        ("Gemma", 3), ("Kirsty", 3), ("Leanne", 3), ("Stacey", 3),
        ("Katherine", 3), ("Elizabeth", 3), ("Rebecca", 3), ("Victoria", 3),
        ("Samantha", 3), ("Nicola", 3), ("Joanne", 2), ("Siobhan", 2),
        ("Aoife", 1), ("Niamh", 2), ("Caitlin", 2), ("Eilidh", 1),
        ("Bethan", 1), ("Cerys", 1), ("Margaret", 2), ("Patricia", 2),
        ("Susan", 2), ("Deborah", 2), ("Abigail", 2), ("Jennifer", 2),
    ], [
        ("Oliver", 6), ("George", 6), ("Arthur", 5), ("Noah", 5),
        ("Leo", 5), ("Harry", 5), ("Oscar", 4), ("Archie", 4),
        ("Jack", 4), ("Thomas", 4), ("Charlie", 4), ("Alfie", 3),
        ("Joshua", 3), ("Daniel", 4), ("Matthew", 3), ("Christopher", 3),
        ("Jonathan", 2), ("Anthony", 3), ("Michael", 4), ("Robert", 3),
        ("William", 3), ("Richard", 3), ("Stephen", 3), ("Andrew", 3),
        ("Benjamin", 3), ("Samuel", 3), ("Nathan", 2), ("Liam", 3),
        ("Callum", 2), ("Connor", 2), ("Ciaran", 1), ("Eoin", 1),
        ("Rhys", 1), ("Gareth", 1), ("Alexander", 3), ("Edward", 2),
        ("Frederick", 1), ("Peter", 2), ("Kevin", 2), ("Darren", 2),
    ]),
    "caribbean": (6, [
        ("Campbell", 3), ("Francis", 3), ("Bailey", 2), ("Gordon", 2),
        ("Henry", 2), ("Grant", 2), ("Reid", 2), ("Forbes", 1),
        ("McKenzie", 2), ("Samuels", 1), ("Christie", 1), ("Clarke", 2),
        ("Ferguson", 1), ("Alleyne", 1), ("Braithwaite", 1),
    ], [
        ("Shanice", 2), ("Tiana", 2), ("Kezia", 1), ("Jada", 2),
        ("Aaliyah", 2), ("Nia", 2), ("Marcia", 1), ("Simone", 2),
        ("Jasmine", 2), ("Tanisha", 1),
    ], [
        ("Jermaine", 1), ("Tyrone", 1), ("Jayden", 2), ("Marcus", 2),
        ("Kai", 2), ("Andre", 2), ("Dwayne", 1), ("Leon", 2),
        ("Malachi", 2), ("Nathaniel", 1),
    ]),
    "somali": (4, [
        ("Mohamed", 3), ("Hassan", 3), ("Abdi", 3), ("Ali", 3),
        ("Farah", 2), ("Warsame", 1), ("Jama", 2), ("Egal", 1),
        ("Osman", 2), ("Nur", 2), ("Yusuf", 2), ("Ahmed", 2),
    ], [
        ("Hodan", 2), ("Ayaan", 2), ("Fadumo", 2), ("Sahra", 2),
        ("Hibo", 1), ("Ifrah", 1), ("Amina", 2), ("Nasra", 1),
        ("Ubah", 1), ("Ikran", 1),
    ], [
        ("Abdirahman", 2), ("Abdullahi", 2), ("Mahad", 1), ("Liban", 1),
        ("Bashir", 1), ("Guled", 1), ("Hamza", 2), ("Khalid", 1),
        ("Mustafe", 1), ("Omar", 2),
    ]),
    "bangladeshi": (5, [
        ("Miah", 3), ("Uddin", 3), ("Rahman", 3), ("Islam", 2),
        ("Hussain", 2), ("Chowdhury", 2), ("Ahmed", 2), ("Begum", 2),
        ("Khatun", 1), ("Hoque", 1), ("Alom", 1), ("Sarkar", 1),
    ], [
        ("Nusrat", 1), ("Sumaiya", 2), ("Tahmina", 1), ("Rumana", 1),
        ("Shamima", 1), ("Fahmida", 1), ("Ruksana", 1), ("Maryam", 2),
        ("Tasnim", 2), ("Jannat", 1),
    ], [
        ("Rahim", 1), ("Shahid", 1), ("Rafiq", 1), ("Jamal", 1),
        ("Ayaan", 2), ("Ibrahim", 2), ("Imran", 2), ("Sabbir", 1),
        ("Tanvir", 1), ("Zubair", 1),
    ]),
    "lithuanian": (3, [
        ("Kazlauskas", 2), ("Jankauskas", 2), ("Petrauskas", 2),
        ("Stankevičius", 1), ("Vasiliauskas", 1), ("Žukauskas", 1),
        ("Butkus", 1), ("Paulauskas", 1), ("Urbonas", 1), ("Kavaliauskas", 1),
    ], [
        ("Rūta", 2), ("Agnė", 2), ("Eglė", 1), ("Ieva", 2), ("Gabija", 2),
        ("Austėja", 1), ("Kristina", 2), ("Jurgita", 1),
    ], [
        ("Tomas", 2), ("Mantas", 2), ("Lukas", 2), ("Jonas", 2),
        ("Darius", 1), ("Mindaugas", 1), ("Žygimantas", 1), ("Aurimas", 1),
    ]),
    "italian": (3, [
        ("Rossi", 2), ("Russo", 2), ("Esposito", 2), ("Romano", 1),
        ("Colombo", 1), ("Ricci", 1), ("Marino", 1), ("Greco", 1),
        ("De Luca", 1), ("Bianchi", 1),
    ], [
        ("Giulia", 2), ("Francesca", 2), ("Chiara", 2), ("Sofia", 2),
        ("Alessia", 1), ("Martina", 1), ("Giorgia", 1), ("Valentina", 1),
    ], [
        ("Giuseppe", 2), ("Francesco", 2), ("Alessandro", 2), ("Luca", 2),
        ("Matteo", 2), ("Lorenzo", 1), ("Salvatore", 1), ("Antonio", 1),
    ]),
    "greek_cypriot": (2, [
        ("Georgiou", 2), ("Christodoulou", 1), ("Constantinou", 1),
        ("Ioannou", 2), ("Demetriou", 1), ("Panayiotou", 1), ("Charalambous", 1),
        ("Nicolaou", 1),
    ], [
        ("Eleni", 2), ("Maria", 2), ("Androulla", 1), ("Katerina", 1),
        ("Despina", 1), ("Stella", 1),
    ], [
        ("Andreas", 2), ("Georgios", 1), ("Christos", 2), ("Costas", 1),
        ("Panayiotis", 1), ("Nikos", 1),
    ]),
    "bulgarian": (2, [
        ("Ivanov", 2), ("Georgiev", 2), ("Dimitrov", 2), ("Petrov", 1),
        ("Nikolov", 1), ("Stoyanov", 1), ("Todorov", 1),
    ], [
        ("Mariya", 2), ("Desislava", 1), ("Gergana", 1), ("Tsvetelina", 1),
        ("Yana", 1), ("Viktoria", 1),
    ], [
        ("Dimitar", 2), ("Hristo", 1), ("Stoyan", 1), ("Kaloyan", 1),
        ("Boris", 1), ("Martin", 1),
    ]),
    "kurdish_arabic": (4, [
        ("Abdullah", 2), ("Karim", 2), ("Mahmoud", 2), ("Saleh", 1),
        ("Haddad", 1), ("Rashid", 1), ("Aziz", 2), ("Barzani", 1),
        ("Khalil", 1), ("Al-Jabouri", 1), ("Al-Hassan", 1),
    ], [
        ("Rania", 1), ("Layla", 2), ("Zainab", 2), ("Noor", 2),
        ("Shilan", 1), ("Dilan", 1), ("Hevin", 1), ("Rozhin", 1),
    ], [
        ("Ahmad", 2), ("Karwan", 1), ("Rebin", 1), ("Hussein", 2),
        ("Mustafa", 2), ("Yousef", 1), ("Ali", 2), ("Zana", 1),
    ]),
    "filipino": (2, [
        ("Santos", 2), ("Reyes", 2), ("Cruz", 2), ("Bautista", 1),
        ("Garcia", 1), ("Mendoza", 1), ("Villanueva", 1), ("Dela Cruz", 1),
    ], [
        ("Maricel", 1), ("Jocelyn", 1), ("Kristine", 1), ("Angelica", 1),
        ("Mary Grace", 1), ("Princess", 1),
    ], [
        ("Jomar", 1), ("Mark Anthony", 1), ("Rommel", 1), ("Jericho", 1),
        ("Paolo", 1), ("Angelo", 1),
    ]),
    "vietnamese": (2, [
        ("Nguyen", 4), ("Tran", 2), ("Le", 2), ("Pham", 2), ("Hoang", 1),
        ("Vu", 1), ("Dang", 1), ("Bui", 1),
    ], [
        ("Linh", 2), ("Mai", 2), ("Thao", 1), ("Huong", 1), ("Ngoc", 1),
        ("Trang", 1),
    ], [
        ("Minh", 2), ("Duc", 1), ("Hung", 1), ("Tuan", 1), ("Quang", 1),
        ("Khanh", 1),
    ]),
}

# Origins where agencies often write the family name first.
FAMILY_FIRST = {"vietnamese", "somali"}

# A name and the short or variant forms people go by.  Written for this
# generator; not seen-synth's list.
NICKNAMES = {
    "Katherine": ["Kate", "Katie", "Kath"], "Elizabeth": ["Liz", "Beth",
    "Lizzie"], "Rebecca": ["Becky", "Becca"], "Victoria": ["Vicky", "Tori"],
    "Samantha": ["Sam", "Sammy"], "Nicola": ["Nicky"], "Joanne": ["Jo"],
    "Jessica": ["Jess"], "Margaret": ["Maggie", "Peggy"], "Patricia":
    ["Pat", "Trish"], "Susan": ["Sue", "Suzy"], "Deborah": ["Debbie",
    "Debs"], "Abigail": ["Abbie", "Gail"], "Jennifer": ["Jenny", "Jen"],
    "Florence": ["Flo", "Florrie"], "Amelia": ["Millie"], "Sophie": ["Soph"],
    "Christopher": ["Chris", "Kit"], "Jonathan": ["Jon", "Jonny"],
    "Anthony": ["Tony", "Ant"], "Michael": ["Mike", "Mick"], "Robert":
    ["Rob", "Bob", "Robbie"], "William": ["Will", "Liam", "Billy"],
    "Richard": ["Rich", "Dick", "Richie"], "Stephen": ["Steve"], "Andrew":
    ["Andy", "Drew"], "Benjamin": ["Ben"], "Samuel": ["Sam"], "Nathaniel":
    ["Nate", "Nat"], "Alexander": ["Alex", "Sandy"], "Edward": ["Ed",
    "Ted", "Eddie"], "Frederick": ["Fred", "Freddie"], "Thomas": ["Tom",
    "Tommy"], "Matthew": ["Matt"], "Daniel": ["Dan", "Danny"], "Joshua":
    ["Josh"], "Peter": ["Pete"], "Abdirahman": ["Abdi"], "Abdullahi":
    ["Abdi"], "Mohamed": ["Mo"], "Giuseppe": ["Peppe"], "Francesco":
    ["Franco"], "Alessandro": ["Sandro"], "Salvatore": ["Toto"],
    "Georgios": ["George"], "Panayiotis": ["Peter", "Panos"], "Konstantinos":
    ["Costas"], "Dimitar": ["Mitko"], "Hristo": ["Icko"], "Žygimantas":
    ["Žygis"], "Mindaugas": ["Mindas"], "Kristina": ["Kristy"],
    "Valentina": ["Vale"], "Francesca": ["Fran", "Frankie"], "Angelica":
    ["Gelay"], "Mark Anthony": ["Mark"], "Mary Grace": ["Grace"],
    "Tsvetelina": ["Tsveti"], "Desislava": ["Desi"], "Ibrahim": ["Ibby"],
    "Mustafa": ["Musti"], "Malachi": ["Kai"], "Jasmine": ["Jazz"],
    "Caitlin": ["Cait"], "Alessia": ["Ale"],
}

STREETS = [
    "Laburnum Grove", "Kestrel Way", "Foundry Lane", "Chapel Row",
    "Orchard Rise", "Mill Close", "Beacon View", "Tannery Street",
    "Heron Drive", "Maple Crescent", "Station Approach", "Coronation Road",
    "Willow Walk", "Brookside", "Queens Parade", "Highfield Avenue",
    "Ropewalk", "Saxon Gardens", "Priory Court", "Bramble Close",
]

# Outward codes by local authority (real districts of each area); any
# other authority gets letters from its name.
OUTWARD = {
    "Hertfordshire": ["SG1", "SG2", "SG5", "SG8", "AL1", "AL3", "AL10",
                      "WD17", "WD24", "HP2", "HP3", "EN8", "EN10", "CM23"],
    "Hillingdon": ["UB3", "UB4", "UB7", "UB8", "UB10", "HA4", "HA6"],
    "Norfolk": ["NR1", "NR2", "NR3", "NR5", "NR30", "NR31", "PE30",
                "PE31", "IP24", "IP25"],
    "North Yorkshire": ["YO1", "YO10", "YO24", "HG1", "HG2", "DL7",
                        "DL8", "BD23", "YO11", "YO12"],
    "Reading": ["RG1", "RG2", "RG4", "RG6", "RG30", "RG31"],
    "Redcar and Cleveland": ["TS6", "TS7", "TS10", "TS11", "TS12", "TS14"],
}

INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXY"

TOWNS = {
    "Hertfordshire": ["Stevenage", "St Albans", "Watford", "Hitchin"],
    "Hillingdon": ["Hayes", "Uxbridge", "Ruislip", "West Drayton"],
    "Norfolk": ["Norwich", "Great Yarmouth", "King's Lynn", "Thetford"],
    "North Yorkshire": ["York", "Harrogate", "Scarborough", "Skipton"],
    "Reading": ["Reading", "Caversham", "Tilehurst", "Earley"],
    "Redcar and Cleveland": ["Redcar", "Guisborough", "Eston",
                             "Saltburn"],
}
