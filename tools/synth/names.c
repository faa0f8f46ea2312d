#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "rng.h"

struct wname {
    const char *name;
    uint32_t weight;
    char origin;    /* 0 for 'e' */
};

/*
 * Weights are rough relative frequencies (ONS baby names 2008-2024 for
 * children; the commonest names of 1965-2004 births for adults; surname
 * frequencies of England and Wales for family names), with a tail of rarer
 * names at weight 1-3 so that common names collide and rare ones do not.
 */
static const struct wname boys[] = {
    {"Oliver", 60, 0}, {"Muhammad", 55, 'm'}, {"Noah", 50, 0},
    {"George", 50, 0}, {"Harry", 50, 0}, {"Jack", 50, 0}, {"Charlie", 45, 0},
    {"Leo", 40, 0}, {"Arthur", 40, 0}, {"Jacob", 40, 0}, {"Alfie", 40, 0},
    {"Oscar", 35, 0}, {"Freddie", 35, 0}, {"Thomas", 35, 0}, {"Archie", 35, 0},
    {"Henry", 30, 0}, {"Theo", 30, 0}, {"Joshua", 30, 0}, {"William", 30, 0},
    {"James", 30, 0}, {"Lucas", 25, 0}, {"Isaac", 25, 0}, {"Ethan", 25, 0},
    {"Riley", 25, 0}, {"Theodore", 20, 0}, {"Logan", 20, 0}, {"Mason", 20, 0},
    {"Finley", 20, 0}, {"Max", 18, 0}, {"Alexander", 18, 0}, {"Daniel", 18, 0},
    {"Samuel", 18, 0}, {"Dylan", 16, 0}, {"Teddy", 15, 0}, {"Tommy", 15, 0},
    {"Edward", 15, 0}, {"Luca", 15, 0}, {"Mohammed", 15, 'm'},
    {"Tyler", 14, 0}, {"Jayden", 12, 0}, {"Kai", 12, 0}, {"Louie", 12, 0},
    {"Harrison", 12, 0}, {"Elijah", 12, 0}, {"Adam", 12, 0}, {"Joseph", 12, 0},
    {"Reggie", 10, 0}, {"Albie", 10, 0}, {"Arlo", 10, 0}, {"Ronnie", 10, 0},
    {"Roman", 10, 0}, {"Frankie", 10, 0}, {"Bobby", 10, 0}, {"Lewis", 10, 0},
    {"Liam", 10, 0}, {"Benjamin", 10, 0}, {"Hudson", 8, 0}, {"Ezra", 8, 0},
    {"Rory", 8, 0}, {"Jude", 8, 0}, {"Stanley", 8, 0}, {"Callum", 8, 0},
    {"Ryan", 8, 0}, {"Ibrahim", 8, 'm'}, {"Yusuf", 8, 'm'}, {"Matthew", 8, 0},
    {"Ollie", 6, 0}, {"Kian", 6, 0}, {"Mohammad", 6, 'm'}, {"Omar", 6, 'm'},
    {"David", 6, 0}, {"Michael", 6, 0}, {"Nathan", 6, 0}, {"Connor", 6, 0},
    {"Jaxon", 6, 0}, {"Sebastian", 6, 0}, {"Ayaan", 5, 'm'}, {"Zayn", 5, 'm'},
    {"Hamza", 5, 'm'}, {"Ali", 5, 'm'}, {"Brandon", 5, 0}, {"Kayden", 5, 0},
    {"Bradley", 5, 0}, {"Jenson", 5, 0}, {"Felix", 5, 0}, {"Sonny", 5, 0},
    {"Zachary", 5, 0}, {"Jamie", 5, 0}, {"Musa", 4, 'm'}, {"Kyle", 4, 0},
    {"Reuben", 4, 0}, {"Caleb", 4, 0}, {"Otis", 4, 0}, {"Hugo", 4, 0},
    {"Seth", 4, 0}, {"Elliot", 4, 0}, {"Harley", 4, 0}, {"Billy", 4, 0},
    {"Aryan", 3, 'h'}, {"Arjun", 3, 'h'}, {"Oskar", 3, 'p'}, {"Jakub", 3, 'p'},
    {"Carter", 3, 0}, {"Jesse", 3, 0}, {"Tobias", 3, 0}, {"Jensen", 3, 0},
    {"Mateo", 3, 0}, {"Alfred", 3, 0}, {"Aaron", 3, 0}, {"Filip", 2, 'p'},
    {"Szymon", 2, 'p'}, {"Kacper", 2, 'p'}, {"Tiago", 2, 'l'}, {"Luka", 2, 0},
    {"Enzo", 2, 'l'}, {"Ashton", 2, 0}, {"Brody", 2, 0}, {"Cody", 2, 0},
    {"Taylor-Jay", 1, 0}, {"Chukwuemeka", 1, 'a'}, {"Kwame", 1, 'a'},
    {"José", 1, 'l'}, {"Tristan", 1, 0}, {"Alfie-James", 1, 0},
    {"Eesa", 1, 'm'}, {"Rayan", 1, 'm'}, {"Idris", 1, 'm'}, {"Kobe", 1, 0},
    {"Malachi", 1, 0}, {"Ptolemy", 1, 0}, {"Cassius", 1, 0}, {"Eryk", 1, 'p'},
    {"Oisín", 1, 0}, {"Gabriel", 8, 0}, {"Harjot", 2, 's'},
    {"Gurveer", 1, 's'}, {"Arjan", 1, 's'}, {"Dev", 2, 'h'}, {"Krish", 2, 'h'},
    {"Tobi", 1, 'a'}, {"Ianis", 1, 'r'}, {"Emir", 1, 't'}, {"Rafael", 1, 'l'},
    {"Antoni", 1, 'p'}, {"Yahya", 2, 'm'},
};

static const struct wname girls[] = {
    {"Olivia", 55, 0}, {"Amelia", 55, 0}, {"Isla", 40, 0}, {"Lily", 35, 0},
    {"Ava", 35, 0}, {"Freya", 30, 0}, {"Isabella", 30, 0}, {"Mia", 30, 0},
    {"Evie", 30, 0}, {"Emily", 30, 0}, {"Poppy", 28, 0}, {"Ivy", 25, 0},
    {"Grace", 25, 0}, {"Ella", 25, 0}, {"Sophie", 25, 0}, {"Jessica", 22, 0},
    {"Ruby", 22, 0}, {"Florence", 20, 0}, {"Sophia", 20, 0}, {"Rosie", 20, 0},
    {"Chloe", 20, 0}, {"Willow", 18, 0}, {"Millie", 18, 0}, {"Elsie", 15, 0},
    {"Daisy", 15, 0}, {"Maisie", 15, 0}, {"Scarlett", 15, 0},
    {"Sienna", 12, 0}, {"Isabelle", 12, 0}, {"Harper", 12, 0}, {"Aria", 12, 0},
    {"Phoebe", 12, 0}, {"Matilda", 12, 0}, {"Evelyn", 12, 0},
    {"Emilia", 12, 0}, {"Lucy", 12, 0}, {"Lexi", 10, 0}, {"Esme", 10, 0},
    {"Mila", 10, 0}, {"Luna", 10, 0}, {"Eva", 10, 0}, {"Layla", 10, 0},
    {"Lola", 10, 0}, {"Imogen", 10, 0}, {"Holly", 10, 0}, {"Erin", 10, 0},
    {"Zara", 8, 0}, {"Bonnie", 8, 0}, {"Violet", 8, 0}, {"Megan", 8, 0},
    {"Leah", 8, 0}, {"Summer", 8, 0}, {"Amber", 8, 0}, {"Maya", 8, 0},
    {"Hannah", 8, 0}, {"Gracie", 8, 0}, {"Aisha", 6, 'm'}, {"Maryam", 6, 'm'},
    {"Fatima", 6, 'm'}, {"Keira", 6, 0}, {"Harriet", 6, 0}, {"Eliza", 6, 0},
    {"Lilly", 6, 0}, {"Darcie", 6, 0}, {"Amelie", 6, 0}, {"Hallie", 5, 0},
    {"Margot", 5, 0}, {"Lacey", 5, 0}, {"Zoe", 5, 0}, {"Tia", 4, 0},
    {"Orla", 4, 0}, {"Aaliyah", 4, 'm'}, {"Zoë", 3, 0}, {"Niamh", 3, 0},
    {"Darcey", 3, 0}, {"Lena", 3, 0}, {"Julia", 3, 0}, {"Aoife", 2, 0},
    {"Lacey-Mae", 2, 0}, {"Lilly-Mai", 2, 0}, {"Nevaeh", 2, 0},
    {"Hafsa", 2, 'm'}, {"Inaaya", 2, 'm'}, {"Anaya", 2, 'h'},
    {"Zuzanna", 2, 'p'}, {"Maja", 2, 'p'}, {"Esther", 2, 0},
    {"Chiamaka", 1, 'a'}, {"Adaeze", 1, 'a'}, {"Precious", 1, 'a'},
    {"Renée", 1, 0}, {"Chloë", 1, 0}, {"Oluwatobi", 1, 'a'},
    {"Wiktoria", 1, 'p'}, {"Ffion", 1, 0}, {"Saoirse", 1, 0}, {"Thea", 4, 0},
    {"Ada", 4, 0}, {"Nancy", 4, 0}, {"Edith", 3, 0}, {"Mabel", 3, 0},
    {"Jasleen", 1, 's'}, {"Harleen", 1, 's'}, {"Simran", 1, 's'},
    {"Diya", 2, 'h'}, {"Aanya", 2, 'h'}, {"Priya", 1, 'h'},
    {"Beatriz", 1, 'l'}, {"Ioana", 1, 'r'}, {"Elif", 1, 't'},
    {"Amira", 2, 'm'}, {"Khadija", 2, 'm'}, {"Alicja", 1, 'p'},
};

static const struct wname men[] = {
    {"Daniel", 25, 0}, {"Michael", 25, 0}, {"David", 25, 0},
    {"Christopher", 25, 0}, {"James", 25, 0}, {"Mark", 20, 0}, {"Paul", 20, 0},
    {"Matthew", 20, 0}, {"Lee", 18, 0}, {"Andrew", 18, 0}, {"Darren", 15, 0},
    {"Craig", 15, 0}, {"Jamie", 15, 0}, {"Steven", 15, 0}, {"Liam", 15, 0},
    {"Ryan", 15, 0}, {"Adam", 15, 0}, {"Thomas", 15, 0}, {"Dean", 12, 0},
    {"Jason", 12, 0}, {"Richard", 12, 0}, {"Robert", 12, 0},
    {"Anthony", 12, 0}, {"Luke", 12, 0}, {"Scott", 12, 0}, {"Carl", 10, 0},
    {"Wayne", 10, 0}, {"Gary", 10, 0}, {"Jordan", 10, 0}, {"Nathan", 10, 0},
    {"Mohammed", 10, 'm'}, {"Jack", 10, 0}, {"Simon", 10, 0}, {"Shaun", 8, 0},
    {"Stuart", 8, 0}, {"Stephen", 8, 0}, {"Ben", 8, 0}, {"Benjamin", 8, 0},
    {"Kieran", 8, 0}, {"Aaron", 8, 0}, {"Kyle", 8, 0}, {"Lewis", 8, 0},
    {"Connor", 8, 0}, {"Callum", 8, 0}, {"William", 8, 0}, {"Joseph", 8, 0},
    {"Jonathan", 8, 0}, {"Neil", 8, 0}, {"Ian", 8, 0}, {"Martin", 8, 0},
    {"Kevin", 8, 0}, {"Joshua", 8, 0}, {"Jake", 8, 0}, {"Sean", 8, 0},
    {"Ashley", 6, 0}, {"Muhammad", 6, 'm'}, {"Samuel", 6, 0}, {"Peter", 6, 0},
    {"Bradley", 6, 0}, {"Danny", 5, 0}, {"Reece", 5, 0}, {"Sam", 5, 0},
    {"Josh", 5, 0}, {"Gavin", 5, 0}, {"Ross", 5, 0}, {"Alan", 5, 0},
    {"Nicholas", 5, 0}, {"Mohammad", 4, 'm'}, {"Imran", 4, 'm'},
    {"Ricky", 4, 0}, {"Dale", 4, 0}, {"Karl", 4, 0}, {"Marc", 4, 0},
    {"Shane", 4, 0}, {"Tariq", 3, 'm'}, {"Piotr", 3, 'p'}, {"Tomasz", 3, 'p'},
    {"Terry", 3, 0}, {"Jermaine", 3, 0}, {"Glen", 3, 0}, {"Keith", 3, 0},
    {"Adrian", 3, 0}, {"Dominic", 3, 0}, {"Mohamed", 3, 'm'},
    {"Abdul", 3, 'm'}, {"Bilal", 3, 'm'}, {"Usman", 3, 'm'}, {"Asif", 3, 'm'},
    {"Arjun", 2, 'h'}, {"Łukasz", 2, 'p'}, {"Marcin", 2, 'p'},
    {"Jakub", 2, 'p'}, {"Tyrone", 2, 0}, {"Brian", 2, 0}, {"Hassan", 2, 'm'},
    {"Sanjay", 2, 'h'}, {"Gurpreet", 2, 's'}, {"Harpreet", 2, 's'},
    {"Andrei", 2, 'r'}, {"Declan", 2, 0}, {"Conor", 2, 0}, {"Mariusz", 1, 'p'},
    {"José", 1, 'l'}, {"Chukwuemeka", 1, 'a'}, {"Kwame", 1, 'a'},
    {"Emeka", 1, 'a'}, {"Tunde", 1, 'a'}, {"Kofi", 1, 'a'}, {"Rajesh", 1, 'h'},
    {"Jaspreet", 1, 's'}, {"Ionut", 1, 'r'}, {"Florin", 1, 'r'},
    {"Darius", 1, 'r'}, {"Seán", 1, 0}, {"Lamar", 1, 0}, {"Dwayne", 1, 0},
    {"Grzegorz", 1, 'p'}, {"Mehmet", 1, 't'}, {"Kemal", 1, 't'},
};

static const struct wname women[] = {
    {"Emma", 22, 0}, {"Sarah", 22, 0}, {"Laura", 18, 0}, {"Rebecca", 16, 0},
    {"Amy", 16, 0}, {"Charlotte", 16, 0}, {"Claire", 15, 0}, {"Kelly", 14, 0},
    {"Gemma", 14, 0}, {"Lauren", 14, 0}, {"Lisa", 12, 0}, {"Nicola", 12, 0},
    {"Michelle", 12, 0}, {"Samantha", 12, 0}, {"Sophie", 12, 0},
    {"Jessica", 12, 0}, {"Katie", 12, 0}, {"Stacey", 10, 0}, {"Hayley", 10, 0},
    {"Jade", 10, 0}, {"Leanne", 10, 0}, {"Danielle", 10, 0},
    {"Natalie", 10, 0}, {"Chloe", 10, 0}, {"Victoria", 10, 0},
    {"Louise", 10, 0}, {"Rachel", 10, 0}, {"Hannah", 10, 0},
    {"Kayleigh", 8, 0}, {"Jodie", 8, 0}, {"Kerry", 8, 0}, {"Joanne", 8, 0},
    {"Kirsty", 8, 0}, {"Helen", 8, 0}, {"Jennifer", 8, 0}, {"Stephanie", 8, 0},
    {"Chantelle", 6, 0}, {"Donna", 6, 0}, {"Zoe", 6, 0}, {"Shannon", 6, 0},
    {"Georgia", 6, 0}, {"Bethany", 6, 0}, {"Karen", 6, 0}, {"Elizabeth", 6, 0},
    {"Holly", 6, 0}, {"Megan", 6, 0}, {"Aimee", 5, 0}, {"Courtney", 5, 0},
    {"Tracey", 5, 0}, {"Julie", 5, 0}, {"Sharon", 5, 0}, {"Kimberley", 5, 0},
    {"Catherine", 5, 0}, {"Abigail", 5, 0}, {"Leah", 5, 0}, {"Ellie", 5, 0},
    {"Anna", 5, 0}, {"Carly", 5, 0}, {"Toni", 4, 0}, {"Amber", 4, 0},
    {"Fatima", 4, 'm'}, {"Joanna", 4, 0}, {"Jenna", 4, 0}, {"Melissa", 4, 0},
    {"Alice", 4, 0}, {"Paige", 4, 0}, {"Jasmine", 4, 0}, {"Siobhan", 3, 0},
    {"Nadia", 3, 'm'}, {"Aisha", 3, 'm'}, {"Ayesha", 3, 'm'},
    {"Agnieszka", 3, 'p'}, {"Katarzyna", 3, 'p'}, {"Naomi", 3, 0},
    {"Rosie", 3, 0}, {"Demi", 3, 0}, {"Tia", 3, 0}, {"Keeley", 3, 0},
    {"Lyndsey", 3, 0}, {"Ruth", 3, 0}, {"Shelley", 3, 0}, {"Zoë", 2, 0},
    {"Sana", 2, 'm'}, {"Priya", 2, 'h'}, {"Simran", 2, 's'}, {"Kayley", 2, 0},
    {"Marta", 2, 'p'}, {"Magdalena", 2, 'p'}, {"Roxanne", 2, 0},
    {"Sinead", 2, 0}, {"Niamh", 2, 0}, {"Nasreen", 2, 'm'}, {"Shazia", 2, 'm'},
    {"Kiran", 2, 'h'}, {"Ioana", 1, 'r'}, {"Chiamaka", 1, 'a'},
    {"Abena", 1, 'a'}, {"Precious", 1, 'a'}, {"Aoife", 1, 0},
    {"Shabnam", 1, 'm'}, {"Rukhsana", 1, 'm'}, {"Parveen", 1, 'm'},
    {"Harpreet", 1, 's'}, {"Renée", 1, 0}, {"Ana", 1, 'l'}, {"Bianca", 1, 'r'},
    {"Oksana", 1, 'r'}, {"Małgorzata", 1, 'p'}, {"Yetunde", 1, 'a'},
    {"Chanel", 1, 0},
};

static const struct wname older_men[] = {
    {"John", 20, 0}, {"David", 20, 0}, {"Michael", 15, 0}, {"Peter", 12, 0},
    {"Stephen", 10, 0}, {"Robert", 10, 0}, {"Paul", 10, 0}, {"Alan", 8, 0},
    {"Keith", 6, 0}, {"Terry", 5, 0}, {"Barry", 5, 0}, {"Trevor", 5, 0},
    {"Graham", 5, 0}, {"Kevin", 6, 0}, {"Colin", 5, 0}, {"Brian", 5, 0},
    {"Ian", 6, 0}, {"Philip", 5, 0}, {"Malcolm", 3, 0}, {"Roger", 3, 0},
    {"Tariq", 1, 'm'}, {"Mohammed", 2, 'm'}, {"Gurdev", 1, 's'},
    {"Winston", 1, 0},
};

static const struct wname older_women[] = {
    {"Susan", 15, 0}, {"Julie", 12, 0}, {"Karen", 12, 0}, {"Linda", 10, 0},
    {"Janet", 8, 0}, {"Tracey", 8, 0}, {"Christine", 8, 0}, {"Margaret", 8, 0},
    {"Patricia", 6, 0}, {"Elaine", 6, 0}, {"Jacqueline", 6, 0},
    {"Deborah", 8, 0}, {"Angela", 6, 0}, {"Lorraine", 5, 0}, {"Carol", 6, 0},
    {"Dawn", 5, 0}, {"Wendy", 5, 0}, {"Sandra", 6, 0}, {"Beverley", 4, 0},
    {"Jane", 6, 0}, {"Pauline", 4, 0}, {"Denise", 4, 0}, {"Diane", 4, 0},
    {"Gillian", 4, 0}, {"Shamim", 1, 'm'}, {"Surinder", 1, 's'},
    {"Maureen", 2, 0},
};

static const struct wname families[] = {
    {"Smith", 1260, 0}, {"Jones", 800, 0}, {"Williams", 600, 0},
    {"Taylor", 560, 0}, {"Brown", 520, 0}, {"Davies", 470, 0},
    {"Evans", 320, 0}, {"Wilson", 320, 0}, {"Thomas", 300, 0},
    {"Johnson", 290, 0}, {"Roberts", 280, 0}, {"Robinson", 240, 0},
    {"Thompson", 240, 0}, {"Wright", 230, 0}, {"Walker", 230, 0},
    {"White", 220, 0}, {"Edwards", 220, 0}, {"Hughes", 210, 0},
    {"Green", 210, 0}, {"Hall", 200, 0}, {"Lewis", 200, 0}, {"Harris", 190, 0},
    {"Clarke", 190, 0}, {"Patel", 190, 'h'}, {"Jackson", 180, 0},
    {"Wood", 180, 0}, {"Turner", 170, 0}, {"Martin", 170, 0},
    {"Cooper", 170, 0}, {"Hill", 170, 0}, {"Ward", 160, 0}, {"Morris", 160, 0},
    {"Moore", 160, 0}, {"Clark", 160, 0}, {"Lee", 150, 0}, {"King", 150, 0},
    {"Baker", 150, 0}, {"Harrison", 150, 0}, {"Morgan", 140, 0},
    {"Allen", 140, 0}, {"James", 140, 0}, {"Scott", 140, 0},
    {"Phillips", 130, 0}, {"Watson", 130, 0}, {"Davis", 130, 0},
    {"Parker", 130, 0}, {"Price", 120, 0}, {"Bennett", 120, 0},
    {"Young", 120, 0}, {"Griffiths", 120, 0}, {"Mitchell", 120, 0},
    {"Kelly", 120, 0}, {"Cook", 120, 0}, {"Carter", 120, 0},
    {"Richardson", 110, 0}, {"Bailey", 110, 0}, {"Collins", 110, 0},
    {"Bell", 110, 0}, {"Shaw", 110, 0}, {"Murphy", 110, 0}, {"Miller", 110, 0},
    {"Cox", 110, 0}, {"Richards", 100, 0}, {"Khan", 100, 'm'},
    {"Marshall", 100, 0}, {"Anderson", 100, 0}, {"Simpson", 100, 0},
    {"Ellis", 100, 0}, {"Adams", 100, 0}, {"Singh", 100, 's'},
    {"Begum", 90, 'm'}, {"Wilkinson", 90, 0}, {"Foster", 90, 0},
    {"Chapman", 90, 0}, {"Powell", 90, 0}, {"Webb", 90, 0}, {"Rogers", 90, 0},
    {"Gray", 90, 0}, {"Mason", 90, 0}, {"Ali", 90, 'm'}, {"Hunt", 90, 0},
    {"Hussain", 90, 'm'}, {"Campbell", 90, 0}, {"Matthews", 90, 0},
    {"Owen", 90, 0}, {"Palmer", 80, 0}, {"Holmes", 80, 0}, {"Mills", 80, 0},
    {"Barnes", 80, 0}, {"Knight", 80, 0}, {"Lloyd", 80, 0}, {"Butler", 80, 0},
    {"Russell", 80, 0}, {"Barker", 80, 0}, {"Fisher", 80, 0},
    {"Stevens", 80, 0}, {"Jenkins", 80, 0}, {"Murray", 80, 0},
    {"Dixon", 80, 0}, {"Harvey", 80, 0}, {"Graham", 70, 0}, {"Pearson", 70, 0},
    {"Ahmed", 70, 'm'}, {"Fletcher", 70, 0}, {"Walsh", 70, 0},
    {"Kaur", 70, 's'}, {"Gibson", 70, 0}, {"Howard", 70, 0},
    {"Andrews", 70, 0}, {"Stewart", 70, 0}, {"Elliott", 70, 0},
    {"Reynolds", 70, 0}, {"Saunders", 70, 0}, {"Payne", 70, 0}, {"Fox", 70, 0},
    {"Ford", 70, 0}, {"Pearce", 70, 0}, {"Day", 70, 0}, {"Brooks", 60, 0},
    {"West", 60, 0}, {"Lawrence", 60, 0}, {"Cole", 60, 0}, {"Atkinson", 60, 0},
    {"Bradley", 60, 0}, {"Spencer", 60, 0}, {"Gill", 60, 0}, {"Dawson", 60, 0},
    {"Ball", 60, 0}, {"Burton", 60, 0}, {"Watts", 60, 0}, {"Rose", 60, 0},
    {"Booth", 60, 0}, {"Perry", 60, 0}, {"Ryan", 60, 0}, {"Grant", 60, 0},
    {"Wells", 60, 0}, {"Armstrong", 60, 0}, {"Francis", 60, 0},
    {"Rees", 60, 0}, {"Hayes", 60, 0}, {"Hart", 60, 0}, {"Hudson", 60, 0},
    {"Newman", 60, 0}, {"Barrett", 60, 0}, {"Webster", 60, 0},
    {"Hunter", 60, 0}, {"Gregory", 60, 0}, {"O'Brien", 50, 0}, {"Carr", 50, 0},
    {"Lowe", 50, 0}, {"Page", 50, 0}, {"Marsh", 50, 0}, {"Riley", 50, 0},
    {"Dunn", 50, 0}, {"Woods", 50, 0}, {"Parsons", 50, 0}, {"Berry", 50, 0},
    {"Stone", 50, 0}, {"Reid", 50, 0}, {"Holland", 50, 0}, {"Hawkins", 50, 0},
    {"Harding", 50, 0}, {"Porter", 50, 0}, {"Robertson", 50, 0},
    {"Newton", 50, 0}, {"Oliver", 50, 0}, {"Reed", 50, 0}, {"Kennedy", 50, 0},
    {"Williamson", 50, 0}, {"Bird", 50, 0}, {"Gardner", 50, 0},
    {"Shah", 50, 'm'}, {"Dean", 50, 0}, {"Lane", 50, 0}, {"Cooke", 50, 0},
    {"Bates", 50, 0}, {"Henderson", 50, 0}, {"Parry", 50, 0},
    {"Burgess", 50, 0}, {"Bishop", 50, 0}, {"Walton", 50, 0}, {"Burns", 50, 0},
    {"Nicholson", 50, 0}, {"Shepherd", 50, 0}, {"Ross", 50, 0},
    {"Cross", 50, 0}, {"Long", 50, 0}, {"Freeman", 50, 0}, {"Warren", 50, 0},
    {"Nicholls", 50, 0}, {"Hamilton", 50, 0}, {"Byrne", 50, 0},
    {"Sutton", 50, 0}, {"McDonald", 50, 0}, {"Yates", 50, 0},
    {"Hodgson", 50, 0}, {"Robson", 50, 0}, {"Curtis", 50, 0},
    {"Hopkins", 50, 0}, {"O'Connor", 40, 0}, {"Harper", 40, 0},
    {"Coleman", 40, 0}, {"Watkins", 40, 0}, {"Moss", 40, 0},
    {"McCarthy", 40, 0}, {"Chambers", 40, 0}, {"O'Neill", 40, 0},
    {"Griffin", 40, 0}, {"Sharp", 40, 0}, {"Hardy", 40, 0}, {"Wheeler", 40, 0},
    {"Potter", 40, 0}, {"Osborne", 40, 0}, {"Johnston", 40, 0},
    {"Gordon", 40, 0}, {"Doyle", 40, 0}, {"Wallace", 40, 0}, {"George", 40, 0},
    {"Jordan", 40, 0}, {"Hutchinson", 40, 0}, {"Rahman", 40, 'm'},
    {"Holt", 30, 0}, {"Iqbal", 30, 'm'}, {"Mahmood", 30, 'm'},
    {"Akhtar", 30, 'm'}, {"Miah", 30, 'm'}, {"Islam", 25, 'm'},
    {"Uddin", 25, 'm'}, {"Chowdhury", 20, 'm'}, {"Sharma", 25, 'h'},
    {"Mistry", 15, 'h'}, {"Sandhu", 15, 's'}, {"Dhillon", 15, 's'},
    {"Bibi", 20, 'm'}, {"Mohamed", 20, 'm'}, {"Hassan", 20, 'm'},
    {"Abdi", 12, 'm'}, {"Yusuf", 10, 'm'}, {"Warsame", 5, 'm'},
    {"Mirza", 10, 'm'}, {"Gupta", 10, 'h'}, {"Nowak", 20, 'p'},
    {"Kowalski", 10, 'p'}, {"Kowalczyk", 8, 'p'}, {"Wiśniewski", 8, 'p'},
    {"Wójcik", 8, 'p'}, {"Lewandowski", 8, 'p'}, {"Zielińska", 3, 'p'},
    {"Dąbrowski", 5, 'p'}, {"Kamiński", 5, 'p'}, {"Okafor", 10, 'a'},
    {"Adeyemi", 10, 'a'}, {"Mensah", 10, 'a'}, {"Owusu", 10, 'a'},
    {"Osei", 8, 'a'}, {"Boateng", 8, 'a'}, {"Okonkwo", 5, 'a'},
    {"Adebayo", 6, 'a'}, {"Da Silva", 10, 'l'}, {"Santos", 8, 'l'},
    {"Ferreira", 8, 'l'}, {"Gonçalves", 4, 'l'}, {"Costa", 6, 'l'},
    {"Van der Merwe", 3, 0}, {"Popescu", 6, 'r'}, {"Ionescu", 4, 'r'},
    {"Nguyen", 8, 'c'}, {"Chen", 8, 'c'}, {"Wang", 6, 'c'}, {"Zhang", 4, 'c'},
    {"Öztürk", 3, 't'}, {"Yılmaz", 3, 't'}, {"Papadopoulos", 2, 0},
    {"MacDonald", 20, 0}, {"McKenzie", 10, 0}, {"Fitzgerald", 12, 0},
    {"Gallagher", 12, 0}, {"Quinn", 12, 0}, {"St John", 2, 0},
    {"Le Roux", 1, 0}, {"D'Souza", 4, 'l'}, {"Fernandes", 5, 'l'},
    {"Pereira", 5, 'l'}, {"Abubakar", 2, 'a'}, {"Ogunleye", 2, 'a'},
    {"Nwosu", 2, 'a'}, {"Haldane", 1, 0}, {"Pilkington", 3, 0},
    {"Ramsbottom", 1, 0}, {"Sidebottom", 1, 0}, {"Featherstone", 2, 0},
    {"Oldroyd", 1, 0}, {"Thistlethwaite", 1, 0}, {"Entwistle", 2, 0},
    {"Higginbottom", 1, 0}, {"Duckworth", 2, 0}, {"Greenhalgh", 2, 0},
    {"Ackroyd", 1, 0}, {"Tunstall", 1, 0},
};

static const struct wname common_families[] = {
    {"Smith", 1260, 0}, {"Jones", 800, 0}, {"Williams", 600, 0},
    {"Taylor", 560, 0}, {"Brown", 520, 0}, {"Davies", 470, 0},
    {"Evans", 320, 0}, {"Wilson", 320, 0}, {"Patel", 190, 'h'},
    {"Khan", 100, 'm'},
};

#define NLIST(a) {a, sizeof(a) / sizeof(a[0])}

static const struct {
    const struct wname *v;
    size_t n;
} tables[SYNTH_NAMES_N] = {
    NLIST(boys), NLIST(girls), NLIST(men), NLIST(women),
    NLIST(older_men), NLIST(older_women), NLIST(families),
    NLIST(common_families),
};

/* Origins: 'e' (or 0) for names of any background, then South Asian
 * Muslim, Hindu, Sikh, Polish, West African, Portuguese-speaking,
 * Romanian, East Asian, Turkish. */
static const char origins[] = "emhspalrct";
#define NORIGINS 10
#define MAXNAMES 320

/* Per list and origin: the indices of the names of that origin (origin 0:
 * every name) and their cumulative weights. */
static struct pool {
    uint16_t idx[MAXNAMES];
    uint32_t cum[MAXNAMES];
    size_t n;
} pools[SYNTH_NAMES_N][NORIGINS];

/* Nickname and spelling-variant groups: the first is the formal name. */
static const char *const variants[][5] = {
    {"William", "Bill", "Will", "Billy", NULL},
    {"Robert", "Rob", "Bob", "Robbie", NULL},
    {"Mohammed", "Muhammad", "Mohammad", "Mohamed", NULL},
    {"Muhammad", "Mohammed", "Mohammad", NULL, NULL},
    {"Mohammad", "Mohammed", "Muhammad", NULL, NULL},
    {"Mohamed", "Mohammed", "Mohamad", NULL, NULL},
    {"Kayleigh", "Kayley", "Kaylee", NULL, NULL},
    {"Kayley", "Kayleigh", NULL, NULL, NULL},
    {"Siobhan", "Shivaun", "Shevaun", NULL, NULL},
    {"Christopher", "Chris", NULL, NULL, NULL},
    {"Michael", "Mike", "Mick", NULL, NULL},
    {"Daniel", "Danny", "Dan", NULL, NULL},
    {"Anthony", "Tony", "Ant", NULL, NULL},
    {"Samantha", "Sam", "Sammy", NULL, NULL},
    {"Rebecca", "Becky", "Becca", NULL, NULL},
    {"Jessica", "Jess", NULL, NULL, NULL},
    {"Nicola", "Nicky", "Nikki", NULL, NULL},
    {"Thomas", "Tom", "Tommy", NULL, NULL},
    {"Alexander", "Alex", "Alfie", NULL, NULL},
    {"Theodore", "Theo", "Teddy", NULL, NULL},
    {"Oliver", "Ollie", NULL, NULL, NULL},
    {"Isabella", "Bella", "Izzy", NULL, NULL},
    {"Isabelle", "Izzy", NULL, NULL, NULL},
    {"Elizabeth", "Beth", "Liz", "Lizzie", NULL},
    {"Stephen", "Steve", NULL, NULL, NULL},
    {"Steven", "Steve", "Stevie", NULL, NULL},
    {"Matthew", "Matt", NULL, NULL, NULL},
    {"James", "Jim", "Jimmy", "Jamie", NULL},
    {"Joseph", "Joe", "Joey", NULL, NULL},
    {"Richard", "Rich", "Ricky", NULL, NULL},
    {"Andrew", "Andy", "Drew", NULL, NULL},
    {"David", "Dave", "Davey", NULL, NULL},
    {"Jonathan", "Jon", "Jonny", NULL, NULL},
    {"Benjamin", "Ben", NULL, NULL, NULL},
    {"Samuel", "Sam", "Sammy", NULL, NULL},
    {"Joshua", "Josh", NULL, NULL, NULL},
    {"Nathan", "Nate", NULL, NULL, NULL},
    {"Zoë", "Zoe", NULL, NULL, NULL},
    {"Chloë", "Chloe", NULL, NULL, NULL},
    {"Chantelle", "Shantelle", NULL, NULL, NULL},
    {"Stacey", "Stacy", NULL, NULL, NULL},
    {"Leanne", "Lee-Anne", "Leann", NULL, NULL},
    {"Aimee", "Amy", NULL, NULL, NULL},
    {"Ayesha", "Aisha", NULL, NULL, NULL},
    {"Aisha", "Ayesha", NULL, NULL, NULL},
    {"Kerry", "Kerri", NULL, NULL, NULL},
    {"Jodie", "Jodi", NULL, NULL, NULL},
    {"Natalie", "Nat", NULL, NULL, NULL},
    {"Victoria", "Vicky", "Tori", NULL, NULL},
    {"Stephanie", "Steph", NULL, NULL, NULL},
    {"Kimberley", "Kim", "Kimberly", NULL, NULL},
    {"Charlotte", "Charlie", "Lottie", NULL, NULL},
    {"Amelia", "Millie", NULL, NULL, NULL},
    {"Abigail", "Abbie", "Abi", NULL, NULL},
    {"Gemma", "Jemma", NULL, NULL, NULL},
    {"Jayden", "Jaden", NULL, NULL, NULL},
    {"Lacey", "Lacie", NULL, NULL, NULL},
    {"Lewis", "Louis", NULL, NULL, NULL},
    {"Sean", "Shaun", "Shawn", NULL, NULL},
    {"Shaun", "Sean", NULL, NULL, NULL},
    {"Tariq", "Tarik", NULL, NULL, NULL},
    {"Jakub", "Jacob", "Kuba", NULL, NULL},
    {"Piotr", "Peter", NULL, NULL, NULL},
    {"Tomasz", "Tom", "Tomek", NULL, NULL},
    {"Agnieszka", "Aga", NULL, NULL, NULL},
    {"Katarzyna", "Kasia", "Kate", NULL, NULL},
    {"Magdalena", "Magda", NULL, NULL, NULL},
    {"Małgorzata", "Gosia", NULL, NULL, NULL},
    {"Chukwuemeka", "Emeka", NULL, NULL, NULL},
    {"Frederick", "Freddie", "Fred", NULL, NULL},
    {"Alfred", "Alfie", "Alf", NULL, NULL},
    {"Edward", "Eddie", "Ed", NULL, NULL},
    {"Henry", "Harry", NULL, NULL, NULL},
    {"Ashley", "Ash", NULL, NULL, NULL},
    {"Kieran", "Kieron", NULL, NULL, NULL},
    {"Jennifer", "Jenny", "Jen", NULL, NULL},
    {"Catherine", "Cath", "Kate", "Cathy", NULL},
    {"Deborah", "Debbie", "Debra", NULL, NULL},
    {"Patricia", "Pat", "Trish", NULL, NULL},
    {"Margaret", "Maggie", "Peggy", NULL, NULL},
    {"Terry", "Terence", NULL, NULL, NULL},
    {"Renée", "Renee", NULL, NULL, NULL},
    {"José", "Jose", NULL, NULL, NULL},
    {"Seán", "Sean", NULL, NULL, NULL},
};

/* UTF-8 letters this generator uses, and their plain-ASCII forms. */
static const char *const accents[][2] = {
    {"\xc3\xab", "e"}, {"\xc3\xa9", "e"}, {"\xc3\xa8", "e"},
    {"\xc3\xb3", "o"}, {"\xc3\xb6", "o"}, {"\xc3\x96", "O"},
    {"\xc5\x82", "l"}, {"\xc5\x81", "L"}, {"\xc5\x9b", "s"},
    {"\xc5\x9a", "S"}, {"\xc4\x85", "a"}, {"\xc4\x99", "e"},
    {"\xc5\xbc", "z"}, {"\xc5\xba", "z"}, {"\xc4\x87", "c"},
    {"\xc5\x84", "n"}, {"\xc3\xa1", "a"}, {"\xc3\xad", "i"},
    {"\xc3\xba", "u"}, {"\xc3\xb1", "n"}, {"\xc3\xa7", "c"},
    {"\xc3\xbc", "u"}, {"\xc4\xb1", "i"}, {"\xc5\x9f", "s"},
    {"\xc4\x9f", "g"},
};

/* Keys next to each lower-case letter on a UK QWERTY keyboard. */
static const char *const neighbours[26] = {
    "qsz", "vgn", "xdv", "sfe", "wrd", "dgr", "fht", "gjy", "ujo",
    "hkn", "jlm", "ko", "nk", "bmh", "ipl", "ol", "wa", "etf", "adw",
    "ryg", "yih", "cb", "qes", "zc", "tuh", "xa",
};

static size_t
origin_index(char o)
{
    const char *p;

    if (o == 0 || (p = strchr(origins, o)) == NULL)
        return 0;
    return (size_t)(p - origins);
}

/**
 * synth_names_init(void):
 * Build the cumulative weight tables.  Call once before the others.
 */
void
synth_names_init(void)
{
    struct pool *own;
    size_t l, i, o;

    memset(pools, 0, sizeof(pools));
    for (l = 0; l < SYNTH_NAMES_N; l++) {
        for (i = 0; i < tables[l].n && i < MAXNAMES; i++) {
            /* Pool 0 ('e') holds the names of no particular origin;
             * each other pool holds its own. */
            o = origin_index(tables[l].v[i].origin);
            own = &pools[l][o];
            own->idx[own->n] = (uint16_t)i;
            own->cum[own->n] = (own->n ? own->cum[own->n - 1] : 0) +
                tables[l].v[i].weight;
            own->n++;
        }
    }
}

static const char *
pool_pick(struct synth_rng *r, enum synth_name_list list, size_t o)
{
    const struct pool *p = &pools[list][o];
    size_t lo = 0, hi, mid;
    uint32_t x;

    if (p->n == 0)
        p = &pools[list][0];
    hi = p->n - 1;
    x = synth_rng_below(r, p->cum[p->n - 1]);
    /* The first i with cum[i] > x. */
    while (lo < hi) {
        mid = (lo + hi) / 2;
        if (p->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return tables[list].v[p->idx[lo]].name;
}

/**
 * synth_names_pick(r, list, origin):
 * Return a name drawn from ${list} with its frequency weight (static
 * storage).  For a given-name list, ${origin} (the origin of the family
 * name, from synth_names_family) makes names of the same background
 * likelier; 'e' or 0 for none.
 */
const char *
synth_names_pick(struct synth_rng *r, enum synth_name_list list, char origin)
{
    size_t o = origin_index(origin);
    uint32_t i;

    if (o != 0 && pools[list][o].n > 0 && synth_rng_chance(r, 750))
        return pool_pick(r, list, o);
    /* Now and then any name at all (mixed families, fashions). */
    if (synth_rng_chance(r, 50)) {
        do {
            i = synth_rng_below(r, NORIGINS);
        } while (pools[list][i].n == 0);
        return pool_pick(r, list, i);
    }
    return pool_pick(r, list, 0);
}

/**
 * synth_names_family(r, origin):
 * Return a family name drawn by frequency and store its origin in
 * ${origin} ('e' for none in particular).
 */
const char *
synth_names_family(struct synth_rng *r, char *origin)
{
    const struct pool *p = &pools[SYNTH_NAMES_FAMILY][0];
    uint32_t total = 0, x;
    size_t o, i;

    /* Draw over every pool at once, by weight. */
    for (o = 0; o < NORIGINS; o++) {
        p = &pools[SYNTH_NAMES_FAMILY][o];
        if (p->n)
            total += p->cum[p->n - 1];
    }
    x = synth_rng_below(r, total);
    for (o = 0; o < NORIGINS; o++) {
        p = &pools[SYNTH_NAMES_FAMILY][o];
        if (p->n == 0)
            continue;
        if (x < p->cum[p->n - 1])
            break;
        x -= p->cum[p->n - 1];
    }
    if (o == NORIGINS)
        o = 0;
    for (i = 0; i + 1 < p->n && p->cum[i] <= x; i++)
        continue;
    *origin = origins[o];
    return tables[SYNTH_NAMES_FAMILY].v[p->idx[i]].name;
}

/**
 * synth_names_family_like(r, origin):
 * Return a family name, most often of the origin ${origin} (as a partner's
 * would be), and store the origin of the name returned in ${origin}.
 */
const char *
synth_names_family_like(struct synth_rng *r, char *origin)
{
    size_t o = origin_index(*origin);

    if (pools[SYNTH_NAMES_FAMILY][o].n > 0 &&
        synth_rng_chance(r, o == 0 ? 850 : 700)) {
        *origin = origins[o];
        return pool_pick(r, SYNTH_NAMES_FAMILY, o);
    }
    return synth_names_family(r, origin);
}

/**
 * synth_names_pick_common(r, list, origin):
 * Return one of the ten commonest names of ${list} (of ${origin} when it
 * has any there).  For SYNTH_NAMES_COMMON_FAMILY, store the origin of
 * the name chosen in ${origin} instead when it is not NULL.
 */
const char *
synth_names_pick_common(struct synth_rng *r, enum synth_name_list list,
    char *origin)
{
    const struct pool *p;
    const struct wname *w;
    size_t o = 0, n;

    if (list != SYNTH_NAMES_COMMON_FAMILY && origin != NULL)
        o = origin_index(*origin);
    if (list == SYNTH_NAMES_COMMON_FAMILY) {
        w = &tables[list].v[synth_rng_below(r, (uint32_t)tables[list].n)];
        if (origin != NULL)
            *origin = w->origin ? w->origin : 'e';
        return w->name;
    }
    p = &pools[list][o];
    if (p->n == 0)
        p = &pools[list][0];
    n = p->n < 10 ? p->n : 10;
    return tables[list].v[p->idx[synth_rng_below(r, (uint32_t)n)]].name;
}

/**
 * synth_names_for_sex(family, female):
 * Return the family name a person of that sex would carry where the name
 * is sex-specific (Kaur and Singh, Begum and Bibi), else ${family}.
 */
const char *
synth_names_for_sex(const char *family, int female)
{

    if (female && strcmp(family, "Singh") == 0)
        return "Kaur";
    if (!female && strcmp(family, "Kaur") == 0)
        return "Singh";
    if (!female && strcmp(family, "Begum") == 0)
        return "Miah";
    if (!female && strcmp(family, "Bibi") == 0)
        return "Khan";
    return family;
}

/**
 * synth_names_variant(r, given):
 * Return a nickname or spelling variant of ${given} (Bill for William,
 * Muhammad for Mohammed, Shivaun for Siobhan...), chosen at random among
 * the known ones, or NULL when there is none.
 */
const char *
synth_names_variant(struct synth_rng *r, const char *given)
{
    size_t i, n;

    for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
        if (strcmp(variants[i][0], given) != 0)
            continue;
        for (n = 1; n < 5 && variants[i][n] != NULL; n++)
            continue;
        return variants[i][1 + synth_rng_below(r, (uint32_t)(n - 1))];
    }
    return NULL;
}

static int
is_lower(char c)
{

    return c >= 'a' && c <= 'z';
}

/**
 * synth_names_typo(r, in, out, outlen):
 * Write ${in} with one edit (substitution of a neighbouring key, deletion,
 * doubling or transposition of ASCII letters, never the first letter) to
 * ${out}.  Returns 0, or -1 when no edit was possible (${out} = ${in}).
 */
int
synth_names_typo(struct synth_rng *r, const char *in, char *out,
    size_t outlen)
{
    size_t len = strlen(in), pos[64], npos = 0, i, p;
    const char *nb;
    int attempt;

    if (len + 2 > outlen || len > 60)
        goto none;
    for (i = 1; i < len; i++)
        if (is_lower(in[i]))
            pos[npos++] = i;
    if (npos < 2)
        goto none;
    for (attempt = 0; attempt < 8; attempt++) {
        p = pos[synth_rng_below(r, (uint32_t)npos)];
        memcpy(out, in, len + 1);
        switch (synth_rng_below(r, 4)) {
        case 0: /* a neighbouring key */
            nb = neighbours[in[p] - 'a'];
            out[p] = nb[synth_rng_below(r, (uint32_t)strlen(nb))];
            break;
        case 1: /* a letter dropped */
            memmove(out + p, in + p + 1, len - p);
            break;
        case 2: /* a letter doubled */
            memmove(out + p + 1, in + p, len - p + 1);
            break;
        default: /* two letters swapped */
            if (p + 1 >= len || !is_lower(in[p + 1]))
                continue;
            out[p] = in[p + 1];
            out[p + 1] = in[p];
            break;
        }
        if (strcmp(out, in) != 0)
            return 0;
    }
none:
    snprintf(out, outlen, "%s", in);
    return -1;
}

/**
 * synth_names_ascii(in, out, outlen):
 * Write ${in} with the accents this generator uses stripped (Zoë -> Zoe,
 * Łukasz -> Lukasz) to ${out}.  Returns 1 when anything changed, else 0.
 */
int
synth_names_ascii(const char *in, char *out, size_t outlen)
{
    size_t o = 0, k, al;
    int changed = 0;

    while (*in != '\0' && o + 1 < outlen) {
        if ((unsigned char)*in >= 0x80) {
            for (k = 0; k < sizeof(accents) / sizeof(accents[0]); k++) {
                al = strlen(accents[k][0]);
                if (strncmp(in, accents[k][0], al) == 0)
                    break;
            }
            if (k < sizeof(accents) / sizeof(accents[0])) {
                out[o++] = accents[k][1][0];
                in += al;
                changed = 1;
                continue;
            }
        }
        out[o++] = *in++;
    }
    out[o] = '\0';
    return changed;
}

/**
 * synth_names_upper(in, out, outlen):
 * Write ${in} upper-cased (ASCII letters only) to ${out}.
 */
void
synth_names_upper(const char *in, char *out, size_t outlen)
{
    size_t o = 0;

    for (; *in != '\0' && o + 1 < outlen; in++)
        out[o++] = is_lower(*in) ? (char)(*in - 'a' + 'A') : *in;
    out[o] = '\0';
}
