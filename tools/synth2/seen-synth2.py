#!/usr/bin/python3
"""seen-synth2: a second synthetic safeguarding population, written
independently of seen-synth (tools/synth) so that the matcher can be
judged on data it was not shaped on.  Python 3 standard library only.

    seen-synth2 --manifest LAB.json --out DIR [--households N] [--seed S]
                [--end YYYY-MM-DD] [--years N]

Writes DIR/<node>.jsonl (the import format, docs/spec/import.md),
DIR/truth.jsonl (one line per person in a record, with the kinds of
difference that copy carries, "noise") and DIR/scenarios.jsonl.  The
model, the rates and how it differs from seen-synth: docs/synth2.md.
The output depends only on the arguments: same seed, same bytes.
"""
import argparse
import datetime
import json
import os
import random
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import names2  # noqa: E402

TYPES = ["social_care", "police", "health", "school", "probation",
         "youth_justice", "other"]

# Noise rates per mille by agency type: social care, police, health,
# school, probation, youth justice, other (an IDVA service).
RATES = {
    "nickname":        [150, 300, 80, 250, 200, 200, 350],
    "typo":            [15, 35, 8, 20, 20, 20, 40],
    "hyphen":          [200, 350, 120, 150, 300, 250, 300],
    "swapped":         [4, 15, 3, 5, 8, 8, 10],
    "date_slip":       [6, 12, 3, 5, 6, 6, 10],
    "date_transposed": [4, 8, 2, 4, 4, 4, 6],
    "date_swap":       [5, 15, 2, 8, 6, 6, 10],
    "date_year":       [3, 6, 1, 3, 3, 3, 5],
    "date_missing":    [10, 60, 2, 15, 5, 8, 80],
    "nhs_child":       [880, 120, 980, 300, 400, 600, 150],
    "nhs_adult":       [750, 60, 980, 100, 400, 250, 100],
    "nhs_typo":        [8, 25, 3, 15, 10, 10, 20],
    "former_name":     [200, 300, 150, 250, 300, 250, 350],
    "postcode":        [900, 850, 970, 930, 880, 900, 700],
    "address":         [550, 450, 650, 350, 500, 450, 250],
}

# Keyboard neighbours (UK QWERTY) for typos.
ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
NEAR = {}
for _r, _row in enumerate(ROWS):
    for _i, _ch in enumerate(_row):
        n = set()
        for _rr in (_r - 1, _r, _r + 1):
            if 0 <= _rr < 3:
                for _j in (_i - 1, _i, _i + 1):
                    if 0 <= _j < len(ROWS[_rr]) and ROWS[_rr][_j] != _ch:
                        n.add(ROWS[_rr][_j])
        NEAR[_ch] = "".join(sorted(n))

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
ONE_DAY = datetime.timedelta(days=1)


def die(msg, code=1):
    sys.stderr.write("seen-synth2: %s\n" % msg)
    sys.exit(code)


def weighted(rng, items):
    """One name of [(name, weight), ...]."""
    total = sum(w for _, w in items)
    x = rng.randrange(total)
    for name, w in items:
        x -= w
        if x < 0:
            return name
    return items[-1][0]


def chance(rng, permille):
    return rng.randrange(1000) < permille


def days(d0, d1):
    return (d1 - d0).days


def add(d, n):
    return d + datetime.timedelta(days=n)


def between(rng, d0, d1):
    return add(d0, rng.randrange(max(1, days(d0, d1))))


def nhs_check(nine):
    s = sum(int(c) * (10 - i) for i, c in enumerate(nine))
    c = 11 - s % 11
    return 0 if c == 11 else c


def upn_letter(twelve):
    return UPN_LETTERS[sum(int(c) * (i + 2) for i, c in enumerate(twelve))
                       % 23]


def pnc_letter(year, serial):
    return PNC_LETTERS[int("%02d%07d" % (year % 100, serial)) % 23]


class Person:
    def __init__(self, given, family, sex, dob, origin):
        self.given = given
        self.family = family
        self.sex = sex
        self.dob = dob              # None for a child never born
        self.origin = origin
        self.nick = None
        self.pid = None             # truth id, given when first written
        self.nhs = self.upn = self.pnc = None
        self.maiden = None          # former family name
        self.married_on = None      # when the family name changed
        self.due = None             # unborn: expected due date
        self.known_from = None      # unborn: pregnancy known from
        self.postcode = self.address = None
        self.hyphen = "-" in family

    def family_at(self, d):
        if self.maiden and self.married_on and d < self.married_on:
            return self.maiden
        return self.family

    def unborn_at(self, d):
        return self.due is not None and (self.dob is None or d < self.dob)

    def exists_at(self, d):
        if self.unborn_at(d):
            return d >= self.known_from
        return self.dob is not None and self.dob <= d


class World:
    def __init__(self, args, manifest):
        self.seed = args.seed
        self.end = args.end
        # The window: after ${start}, up to ${end} inclusive.
        e = args.end
        y = e.year - args.years
        self.start = (valid(y, e.month, e.day) or valid(y, e.month, 28))
        self.nodes = manifest["nodes"]
        self.las = []
        for n in self.nodes:
            if n["local_authority"] not in self.las:
                self.las.append(n["local_authority"])
        self.records = {n["name"]: [] for n in self.nodes}
        self.serial = {n["name"]: 0 for n in self.nodes}
        # Record id prefixes: the node name's initials, made unique over
        # the manifest so that every record id is unique in the lab.
        self.prefix = {}
        for n in self.nodes:
            base = "".join(x[0] for x in n["name"].split("-") if x).upper()
            pre, k = base, 1
            while pre in self.prefix.values():
                k += 1
                pre = "%s%d" % (base, k)
            self.prefix[n["name"]] = pre
        self.truth = []
        self.scenarios = []
        self.next_pid = 0
        self.next_hid = 0
        self.nhs_used = set()
        self.households = 0

    def node_for(self, la, typ, key):
        cands = [n for n in self.nodes
                 if n["local_authority"] == la and n["type"] == typ]
        if not cands:
            return None
        return cands[key % len(cands)]


# ---- people and households ----

def origin_of(rng):
    return weighted(rng, [(o, v[0]) for o, v in names2.ORIGINS.items()])


def new_person(rng, w, sex, born, origin=None, family=None):
    origin = origin or origin_of(rng)
    o = names2.ORIGINS[origin]
    given = weighted(rng, o[2] if sex == "F" else o[3])
    fam = family or weighted(rng, o[1])
    p = Person(given, fam, sex, born, origin)
    if given in names2.NICKNAMES and chance(rng, 600):
        p.nick = rng.choice(names2.NICKNAMES[given])
    if born is not None:
        give_nhs(rng, w, p)
    return p


def give_nhs(rng, w, p):
    while True:
        nine = "999" + "%06d" % rng.randrange(1000000)
        c = nhs_check(nine)
        if c != 10 and nine not in w.nhs_used:
            w.nhs_used.add(nine)
            p.nhs = nine + str(c)
            return


def give_upn(rng, p, la, w):
    code = 300 + sum(map(ord, la)) % 600
    year = (p.dob.year + 5) % 100
    twelve = "%03d%04d%02d%03d" % (code, rng.randrange(2000, 8000), year,
                                   rng.randrange(1000))
    p.upn = upn_letter(twelve) + twelve


def give_pnc(rng, p, w):
    year = min(p.dob.year + rng.randint(15, 30), w.end.year)
    serial = rng.randrange(1, 10000000)
    p.pnc = "%04d/%07d%s" % (year, serial, pnc_letter(year, serial))


def place(rng, la):
    outs = names2.OUTWARD.get(la)
    if outs is None:
        letters = "".join(c for c in la.upper() if "A" <= c <= "Z")
        outs = [(letters[:2] or "ZZ") + str(d) for d in range(1, 10)]
    pc = "%s %d%s%s" % (rng.choice(outs), rng.randrange(10),
                        rng.choice(names2.INWARD_LETTERS),
                        rng.choice(names2.INWARD_LETTERS))
    town = rng.choice(names2.TOWNS.get(la, [la]))
    addr = "%d %s, %s" % (rng.randint(1, 180), rng.choice(names2.STREETS),
                          town)
    return pc, addr


def live_at(people, pc_addr):
    for p in people:
        p.postcode, p.address = pc_addr


def children_of(rng, w, mother, father, n, family, la, hh):
    """${n} children of ${mother} (and ${father}), born between her 17th
    birthday and the window's end, with twins now and then."""
    kids = []
    lo = max(add(mother.dob, 17 * 365), add(w.end, -17 * 365))
    if days(lo, w.end) < 30:
        return kids
    births = sorted(between(rng, lo, add(w.end, -20)) for _ in range(n))
    for b in births:
        sex = rng.choice("FM")
        origin = mother.origin if chance(rng, 700) else father.origin
        c = new_person(rng, w, sex, b, origin, family)
        if (sex == "M" and father is not None and family == father.family
                and chance(rng, 80)):
            c.given, c.nick = father.given, father.nick
            hh["father_son"] = (father, c)
        kids.append(c)
        if chance(rng, 40):                      # twins
            t = new_person(rng, w, rng.choice("FM"), b, origin, family)
            while t.given == c.given:
                t.given = weighted(rng, names2.ORIGINS[origin][
                    2 if t.sex == "F" else 3])
            kids.append(t)
            hh["twins"].append((c, t))
        if "-" in family:
            for k in kids:
                k.hyphen = True
    for k in kids:
        if k.dob <= add(w.end, -4 * 365) and chance(rng, 900):
            give_upn(rng, k, la, w)
    return kids


def child_family(rng, mother, father):
    r = rng.randrange(100)
    if r < 45:
        return father.family
    if r < 80:
        return mother.family
    return "%s-%s" % (mother.family, father.family)


def pregnancy(rng, w, mother, father, family, hh, lo=None):
    """An unborn child due in or just after the window; born (given a name
    and an NHS number) if the birth falls in the window."""
    lo = lo or add(w.start, 60)
    due = between(rng, lo, add(w.end, 150))
    sex = rng.choice("FM")
    origin = mother.origin if chance(rng, 700) else father.origin
    c = new_person(rng, w, sex, None, origin, family)
    c.due = due
    c.known_from = add(due, -rng.randint(200, 230))
    born = add(due, rng.randint(-16, 10))
    if born <= w.end:
        c.dob = born
        give_nhs(rng, w, c)
    hh["unborn"].append((c, mother, father))
    return c


def adult(rng, w, sex, age_lo, age_hi, origin=None):
    born = add(w.end, -rng.randint(age_lo * 365, age_hi * 365))
    return new_person(rng, w, sex, born, origin)


def household(rng, w, la, shape, perp=None, move=None):
    """One household of ${shape}; ${perp}: an existing perpetrator moving
    in from ${move} on."""
    hh = {"la": la, "shape": shape, "twins": [], "unborn": [],
          "half": None, "father_son": None, "carer": None, "from": move,
          "apart": []}
    mother = adult(rng, w, "F", 19, 44)
    if perp is None:
        origin = mother.origin if chance(rng, 650) else None
        perp = adult(rng, w, "M", max(21, days(mother.dob, w.end) // 365 -
                                      3), days(mother.dob, w.end) // 365 + 8,
                     origin)
        if chance(rng, 600):
            give_pnc(rng, perp, w)
    kids = []
    if shape in ("couple", "multi_generation", "young_couple"):
        fam = child_family(rng, mother, perp)
        if shape != "young_couple" and chance(rng, 350):
            mother.maiden, mother.family = mother.family, perp.family
            mother.hyphen = "-" in mother.family
            if chance(rng, 300):        # married during the window
                mother.married_on = between(rng, w.start, w.end)
            if fam == mother.maiden:
                fam = perp.family
        n = 0 if shape == "young_couple" else rng.choice([1, 1, 2, 2, 3, 4])
        kids = children_of(rng, w, mother, perp, n, fam, la, hh)
        if chance(rng, 700 if shape == "young_couple" else 180):
            kids.append(pregnancy(rng, w, mother, perp, fam, hh, move))
    elif shape == "single_parent":
        fam = child_family(rng, mother, perp)
        kids = children_of(rng, w, mother, perp, rng.choice([1, 2, 3]),
                           fam, la, hh)
        hh["apart"].append(perp)
    elif shape == "blended":
        ex = adult(rng, w, "M", 22, 50)
        first = children_of(rng, w, mother, ex, rng.choice([1, 2]),
                            ex.family if chance(rng, 600) else mother.family,
                            la, hh)
        fam = child_family(rng, mother, perp)
        second = children_of(rng, w, mother, perp, rng.choice([0, 1, 2]),
                             fam, la, hh)
        if chance(rng, 250):
            second.append(pregnancy(rng, w, mother, perp, fam, hh, move))
        kids = first + second
        if first and second:
            hh["half"] = first + second
    if shape in ("grandparent", "multi_generation"):
        gm = new_person(rng, w, "F", add(mother.dob, -rng.randint(
            18 * 365, 30 * 365)), mother.origin,
            mother.maiden or mother.family)
        hh["carer"] = gm
        if shape == "grandparent":
            kids = children_of(rng, w, mother, perp, rng.choice([1, 2, 3]),
                               child_family(rng, mother, perp), la, hh)
            hh["apart"].append(mother)
    hh.update(mother=mother, perp=perp, kids=kids)
    home = place(rng, la)
    live_at([mother] + kids + ([hh["carer"]] if hh["carer"] else []), home)
    if perp.postcode is None or move is not None:
        perp.postcode, perp.address = home
    for p in hh["apart"]:
        if move is None:
            p.postcode, p.address = place(rng, la)
    if shape == "grandparent" and move is None:
        perp.postcode, perp.address = mother.postcode, mother.address
    return hh


SHAPES = [("couple", 30), ("single_parent", 20), ("blended", 18),
          ("grandparent", 10), ("multi_generation", 12),
          ("young_couple", 10)]


# ---- events ----

def age_at(p, d):
    if p.dob is None or p.dob > d:
        return -1
    return (d.year - p.dob.year -
            ((d.month, d.day) < (p.dob.month, p.dob.day)))


def ev(out, d, w, typ, kind, la, people, risk=None, present=None):
    """An event: at ${d}, a record of ${kind} by an agency of ${typ} in
    ${la} naming ${people} [(person, role)], those who exist then."""
    if d <= w.start or d > w.end:
        return
    people = [(p, r) for p, r in people if p.exists_at(d)]
    if people:
        out.append((d, len(out), typ, kind, la, people, risk, present))


def police_events(rng, w, hh, out, lo, hi):
    """Incidents, MARAC referrals, IDVA referrals, school notices, ED
    attendances and social care's response, in [${lo}, ${hi})."""
    la, m, p = hh["la"], hh["mother"], hh["perp"]
    n = 1
    while n < 6 and chance(rng, 450):
        n += 1
    for _ in range(n):
        d = between(rng, lo, hi)
        risk = weighted(rng, [("standard", 50), ("medium", 32),
                              ("high", 18)])
        kids = [k for k in hh["kids"] if chance(rng, 550)]
        present = bool([k for k in kids if not k.unborn_at(d)])
        people = [(m, "adult_victim"), (p, "perpetrator")] + [
            (k, "unborn" if k.unborn_at(d) else "child") for k in kids]
        ev(out, d, w, "police", "domestic_abuse_incident", la, people,
           risk, present)
        if risk == "high":
            ev(out, add(d, rng.randint(3, 20)), w, "police",
               "marac_referral", la, people, "high")
            if chance(rng, 600):
                ev(out, add(d, rng.randint(1, 14)), w, "other", "other", la,
                   [(m, "adult_victim")] + [x for x in people[2:]
                                            if chance(rng, 500)])
        if chance(rng, 200):
            ev(out, add(d, rng.randint(0, 1)), w, "health", "ed_attendance",
               la, [(m, "adult_victim")])
        for k in kids:
            if 5 <= age_at(k, d) <= 16 and chance(rng, 500):
                ev(out, add(d, 1), w, "school", "safeguarding_concern", la,
                   [(k, "child")] + ([(m, "parent")] if chance(rng, 450)
                                     else []))
        social_events(rng, w, hh, out, d, risk, present)


def social_events(rng, w, hh, out, d, risk, present):
    la, m, p = hh["la"], hh["mother"], hh["perp"]
    if not hh["kids"]:
        return
    r = {"standard": 200, "medium": 450, "high": 750}[risk]
    if not present:
        r //= 2
    if not chance(rng, r):
        return
    people = [(m, "adult_victim")]
    if chance(rng, 600):
        people.append((p, "perpetrator"))
    if hh["carer"] is not None:
        people.append((hh["carer"], "parent" if hh["shape"] == "grandparent"
                       else "other"))
    a = add(d, rng.randint(2, 30))
    people += [(k, "unborn" if k.unborn_at(a) else "child")
               for k in hh["kids"]]
    ev(out, a, w, "social_care", "child_in_need_assessment", la, people)
    if risk == "high" and chance(rng, 500):
        s = add(a, rng.randint(1, 10))
        ev(out, s, w, "social_care", "strategy_meeting", la, people)
        if chance(rng, 500):
            ev(out, add(s, rng.randint(15, 45)), w, "social_care",
               "child_protection_plan", la, people)


def health_events(rng, w, hh, out, lo, hi):
    la, m = hh["la"], hh["mother"]
    for c, mother, father in hh["unborn"]:
        b = add(c.due, -rng.randint(180, 200))
        if lo <= b < hi:
            ev(out, b, w, "health", "midwifery_booking", la,
               [(mother, "adult_victim"), (c, "unborn")] +
               ([(father, "perpetrator")] if chance(rng, 500) else []))
            if chance(rng, 350):
                ev(out, add(b, rng.randint(20, 90)), w, "health",
                   "safeguarding_concern", la,
                   [(mother, "adult_victim"), (c, "unborn")])
    for k in hh["kids"]:
        if k.dob is None:
            continue
        first = add(k.dob, rng.randint(10, 40))
        for i in range(rng.choice([0, 1, 1, 2, 3])):
            d = add(first, i * rng.randint(60, 200))
            if lo <= d < hi and age_at(k, d) < 5:
                ev(out, d, w, "health", "health_visitor_contact", la,
                   [(m, "adult_victim"), (k, "child")])


def other_events(rng, w, hh, out, lo, hi):
    la, m, p = hh["la"], hh["mother"], hh["perp"]
    if p.pnc and chance(rng, 300):
        for _ in range(rng.choice([1, 1, 2])):
            ev(out, between(rng, lo, hi), w, "probation", "supervision",
               la, [(p, "perpetrator")] + ([(m, "adult_victim")]
                                           if chance(rng, 400) else []))
    for k in hh["kids"]:
        d = between(rng, lo, hi)
        if 13 <= age_at(k, d) <= 17 and chance(rng, 70):
            ev(out, d, w, "youth_justice", "youth_justice", la,
               [(k, "child"), (m, "parent")])


def household_events(rng, w, hh, lo, hi):
    """The records of household ${hh} from ${lo} to ${hi}, each tagged with
    the household's number (the truth's "household")."""
    out = []
    if chance(rng, 880):
        police_events(rng, w, hh, out, lo, hi)
    health_events(rng, w, hh, out, lo, hi)
    other_events(rng, w, hh, out, lo, hi)
    if "hid" not in hh:
        w.next_hid += 1
        hh["hid"] = "H%06d" % w.next_hid
    return [e + (hh["hid"],) for e in out]


# ---- how an agency writes a person ----

def typo(rng, s):
    """One edit of ${s}: insert, delete, substitute (a key near it) or
    transpose; None when ${s} is too short."""
    letters = [i for i, c in enumerate(s) if c.lower() in NEAR]
    if len(s) < 3 or len(letters) < 2:
        return None
    i = rng.choice(letters)
    c = s[i]
    near = rng.choice(NEAR[c.lower()])
    near = near.upper() if c.isupper() else near
    op = rng.randrange(4)
    if op == 0:
        t = s[:i] + near + s[i:]
    elif op == 1 and i > 0:
        t = s[:i] + s[i + 1:]
    elif op == 2 or i + 1 >= len(s) or not s[i + 1].isalpha():
        t = s[:i] + near + s[i + 1:]
    else:
        t = s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return t if t != s and t.strip() else None


def valid(y, m, d):
    try:
        return datetime.date(y, m, d)
    except ValueError:
        return None


def date_noise(rng, kind, dob, rec):
    """${dob} written with ${kind} of mistake, or None where it cannot be
    (not a date, the same date, after the record's date ${rec})."""
    y, m, d = dob.year, dob.month, dob.day
    if kind == "date_slip":
        r = add(dob, rng.choice([-1, 1]))
    elif kind == "date_swap":
        r = valid(y, d, m) if d <= 12 and d != m else None
    elif kind == "date_year":
        if chance(rng, 700):
            r = valid(y + rng.choice([-1, 1]), m, d)
        else:
            r = valid(y + rng.choice([-10, 10]), m, d)
    else:                                  # date_transposed
        s = "%04d%02d%02d" % (y, m, d)
        i = rng.choice([2, 4, 6])          # YY of the year, MM or DD
        t = s[:i] + s[i + 1] + s[i] + s[i + 2:]
        r = valid(int(t[:4]), int(t[4:6]), int(t[6:]))
    if r is None or r == dob or r > rec or r.year < 1900:
        return None
    return r


def sticky(w, node, p, what):
    """A draw that is the same every time ${node} writes ${p}."""
    return random.Random("%d/%s/%s/%s/%s" % (w.seed, node, p.given,
                                               p.nhs or p.due, what))


def write_person(rng, w, node, t, p, role, d, ref):
    """The import object of ${p} in a record of agency type index ${t} at
    ${d}, and the kinds of difference it carries."""
    R = {k: v[t] for k, v in RATES.items()}
    o, noise = {"ref": ref, "role": role}, []
    fam = p.family_at(d)
    if role == "unborn":
        o.update(given_name=None, family_name=fam,
                 expected_due_date=p.due.isoformat())
        if chance(rng, 300):
            o["sex"] = "U"
        if p.postcode and chance(rng, R["postcode"]):
            o["postcode"] = p.postcode
        noise.append("unborn")
        return o, noise
    given = p.given
    if p.nick and chance(sticky(w, node, p, "nick"), R["nickname"]):
        given = p.nick
        noise.append("nickname")
    if "-" in fam and chance(rng, R["hyphen"]):
        fam = fam.split("-")[rng.randrange(2)]
        noise.append("hyphen")
    others = []
    if p.maiden and (p.married_on is None or d >= p.married_on):
        s = sticky(w, node, p, "former")
        if chance(s, R["former_name"]):
            fam = p.maiden
            noise.append("former_name")
        elif chance(s, 400):
            others.append("%s %s" % (p.given, p.maiden))
    if chance(rng, R["typo"]):
        if chance(rng, 550):
            t2 = typo(rng, given)
            given = t2 or given
        else:
            t2 = typo(rng, fam)
            fam = t2 or fam
        if t2:
            noise.append("typo")
    if chance(rng, R["swapped"] * (3 if p.origin in names2.FAMILY_FIRST
                                   else 1)):
        given, fam = fam, given
        noise.append("swapped")
    o.update(given_name=given, family_name=fam)
    if others:
        o["other_names"] = others
    dob = p.dob
    if chance(rng, R["date_missing"]):
        noise.append("date_missing")
        if chance(rng, 500):
            o["date_of_birth"] = None
    else:
        for kind in ("date_slip", "date_transposed", "date_swap",
                     "date_year"):
            if chance(rng, R[kind]):
                r = date_noise(rng, kind, dob, d)
                if r is not None:
                    dob = r
                    noise.append(kind)
                break
        o["date_of_birth"] = dob.isoformat()
    if chance(rng, 900):
        o["sex"] = p.sex
    child = role == "child"
    if p.nhs and chance(rng, R["nhs_child" if child else "nhs_adult"]):
        nhs = p.nhs
        if chance(rng, R["nhs_typo"]):
            i = rng.randrange(3, 10)
            nhs = nhs[:i] + str((int(nhs[i]) + rng.randint(1, 9)) % 10) + \
                nhs[i + 1:]
            noise.append("nhs_typo")
        o["nhs_number"] = (nhs if chance(rng, 600) else
                           "%s %s %s" % (nhs[:3], nhs[3:6], nhs[6:]))
    elif p.nhs:
        noise.append("nhs_missing")
    if p.upn and child and chance(rng, {0: 300, 3: 950, 5: 400}.get(t, 0)):
        o["upn"] = p.upn
    if p.pnc and chance(rng, {1: 850, 4: 1000, 0: 50}.get(t, 0)):
        o["pnc_id"] = p.pnc
    if p.postcode and chance(rng, R["postcode"]):
        pc = p.postcode
        o["postcode"] = pc if chance(rng, 850) else pc.replace(" ",
                                                                "").lower()
    if p.address and chance(rng, R["address"]):
        o["address"] = p.address
    return o, noise


REFS = {"adult_victim": "vic", "perpetrator": "perp", "child": "ch",
        "unborn": "unb", "parent": "par", "other": "oth"}
KIND_CODES = {"domestic_abuse_incident": "DA", "marac_referral": "MRC",
              "dvds_disclosure": "DVDS", "child_in_need_assessment": "CIN",
              "strategy_meeting": "STM", "child_protection_plan": "CPP",
              "midwifery_booking": "MAT", "health_visitor_contact": "HV",
              "ed_attendance": "ED", "safeguarding_concern": "SGC",
              "supervision": "SUP", "youth_justice": "YJ", "other": "IDVA"}


def emit(rng, w, e, key):
    d, _, typ, kind, la, people, risk, present, hid = e
    node = w.node_for(la, typ, key)
    if node is None:
        return
    name = node["name"]
    w.serial[name] += 1
    rid = "%s/%s/%02d/%06d" % (w.prefix[name], KIND_CODES[kind],
                               d.year % 100,
                               w.serial[name])
    rec = {"id": rid, "kind": kind, "date": d.isoformat(),
           "local_authority": la}
    if risk:
        rec["risk"] = risk
    if present is not None:
        rec["child_present"] = present
    t = TYPES.index(typ)
    objs, counts = [], {}
    for p, role in people:
        counts[role] = counts.get(role, 0) + 1
        ref = "%s%d" % (REFS[role], counts[role])
        o, noise = write_person(rng, w, name, t, p, role, d, ref)
        if p.pid is None:
            w.next_pid += 1
            p.pid = "P%06d" % w.next_pid
        objs.append(o)
        w.truth.append({"node": name, "record": rid, "ref": ref,
                        "person": p.pid, "role": role, "noise": noise,
                        "household": hid})
    rec["people"] = objs
    w.records[name].append(rec)


# ---- groups, scenarios, output ----

def scen(w, name, **kw):
    line = {"scenario": name}
    line.update(kw)
    w.scenarios.append(line)


def written(ps):
    return [p.pid for p in ps if p.pid is not None]


def scenarios_of(w, hh):
    m, kids = hh["mother"], hh["kids"]
    if len(written(kids)) >= 2:
        scen(w, "siblings", persons=written(kids))
    if hh["half"] and len(written(hh["half"])) >= 2:
        scen(w, "half_siblings", persons=written(hh["half"]))
    for a, b in hh["twins"]:
        if a.pid and b.pid:
            scen(w, "twins", persons=[a.pid, b.pid])
    if m.pid and written(kids):
        scen(w, "mother_and_child", mother=m.pid, children=written(kids))
    if hh["father_son"]:
        f, s = hh["father_son"]
        if f.pid and s.pid:
            scen(w, "father_and_son_same_name", father=f.pid, son=s.pid)
    for c, mother, father in hh["unborn"]:
        if c.pid:
            scen(w, "unborn", person=c.pid, mother=mother.pid,
                 expected_due_date=c.due.isoformat(),
                 born=c.dob.isoformat() if c.dob else None)
    if m.maiden and m.pid:
        scen(w, "changed_family_name", person=m.pid, former=m.maiden,
             family_name=m.family, date=m.married_on.isoformat()
             if m.married_on else None)
    if hh["carer"] is not None and hh["carer"].pid:
        scen(w, "grandparent_caring" if hh["shape"] == "grandparent"
             else "multi_generation", person=hh["carer"].pid,
             children=written(kids))


def group(w, li, gi):
    """Household group ${gi} of local authority ${li}: a household, and
    for a perpetrator who moves, his second one in another authority."""
    la = w.las[li]
    rng = random.Random("seen-synth2/%d/%s/%d" % (w.seed, la, gi))
    shape = weighted(rng, SHAPES)
    hh = household(rng, w, la, shape)
    w.households += 1
    events = []
    second = None
    if len(w.las) > 1 and chance(rng, 60):
        move = between(rng, add(w.start, days(w.start, w.end) // 3),
                       add(w.start, 2 * days(w.start, w.end) // 3))
        la2 = rng.choice([x for x in w.las if x != la])
        perp = hh["perp"]
        events = household_events(rng, w, hh, w.start, move)
        perp.postcode = perp.address = None
        second = household(rng, w, la2, rng.choice(
            ["couple", "couple", "blended", "single_parent"]), perp, move)
        second["apart"] = []
        w.households += 1
        events += household_events(rng, w, second, move, w.end)
    else:
        events = household_events(rng, w, hh, w.start, w.end)
    key = rng.randrange(1 << 30)
    for e in sorted(events, key=lambda e: (e[0], e[1])):
        emit(rng, w, e, key)
    scenarios_of(w, hh)
    if second is not None:
        scenarios_of(w, second)
        perp = hh["perp"]
        kids = written(hh["kids"] + second["kids"])
        if perp.pid:
            scen(w, "perpetrator_two_authorities", person=perp.pid,
                 local_authorities=[la, second["la"]], children=kids)


def write_out(w, out):
    os.makedirs(out, exist_ok=True)

    def dump(path, lines):
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for x in lines:
                f.write(json.dumps(x, ensure_ascii=False,
                                   separators=(",", ":")) + "\n")

    for name, recs in w.records.items():
        dump(os.path.join(out, name + ".jsonl"), recs)
    dump(os.path.join(out, "truth.jsonl"), w.truth)
    dump(os.path.join(out, "scenarios.jsonl"), w.scenarios)


def load_manifest(path):
    try:
        with open(path, encoding="utf-8") as f:
            m = json.load(f)
    except (OSError, ValueError) as e:
        die("%s: %s" % (path, e))
    nodes = m.get("nodes") if isinstance(m, dict) else None
    if not isinstance(nodes, list) or not nodes:
        die("%s: no nodes" % path)
    names = set()
    for n in nodes:
        if not isinstance(n, dict) or not all(
                isinstance(n.get(k), str) and n.get(k)
                for k in ("name", "type", "local_authority")):
            die("%s: a node needs a name, a type and a local_authority"
                % path)
        if n["type"] not in TYPES:
            die("%s: node %s: unknown type %s" % (path, n["name"],
                                                 n["type"]))
        if n["name"] in names or "/" in n["name"]:
            die("%s: node name %s repeated or not a file name"
                % (path, n["name"]))
        names.add(n["name"])
    return m


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="seen-synth2",
        description="A second synthetic safeguarding population for "
        "Seen's import format (docs/synth2.md).")
    ap.add_argument("--manifest", metavar="LAB.json")
    ap.add_argument("--node", help="one node's name (with --type and "
                    "--local-authority) instead of a manifest")
    ap.add_argument("--type", choices=TYPES)
    ap.add_argument("--local-authority")
    ap.add_argument("--out", metavar="DIR", required=True)
    ap.add_argument("--households", type=int, default=150,
                    help="household groups per local authority "
                    "(default 150)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--end", default="2026-10-31")
    ap.add_argument("--years", type=int, default=3)
    a = ap.parse_args(argv)
    if (a.manifest is None) == (a.node is None):
        ap.error("give one of --manifest and --node")
    if a.node is not None and (a.type is None or a.local_authority is None):
        ap.error("--node needs --type and --local-authority")
    if not 1 <= a.households <= 1000000:
        ap.error("--households must be 1-1000000")
    if not 1 <= a.years <= 50 or a.seed < 0:
        ap.error("--years must be 1-50 and --seed not negative")
    try:
        a.end = datetime.date.fromisoformat(a.end)
    except ValueError:
        ap.error("--end must be a date YYYY-MM-DD")
    return a


def main(argv):
    a = parse_args(argv)
    if a.manifest:
        m = load_manifest(a.manifest)
    else:
        m = {"nodes": [{"name": a.node, "type": a.type,
                        "local_authority": a.local_authority}]}
    w = World(a, m)
    for li in range(len(w.las)):
        for gi in range(a.households):
            group(w, li, gi)
    try:
        write_out(w, a.out)
    except OSError as e:
        die(str(e))
    n = sum(len(r) for r in w.records.values())
    sys.stderr.write("seen-synth2: %d records, %d persons, %d households, "
                     "%d people in records: %s\n" % (
                         n, w.next_pid, w.households, len(w.truth),
                         " ".join("%s %d" % (k, len(v))
                                  for k, v in w.records.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
