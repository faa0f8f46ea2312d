#!/usr/bin/python3
"""score_node: what a real node made of a generated population, against
the generator's truth (seen-synth or seen-synth2; docs/synth2.md).

    score_node.py GENDIR HANDLES.jsonl PERSONS.jsonl ALERTS.jsonl [--extra]

GENDIR holds the generator's truth.jsonl and scenarios.jsonl; the other
three are `seen handles --json`, `seen --as lead persons --json` and
`seen --as lead alerts --json` of a node that imported every record file
of GENDIR (record ids must be unique over the lab: seen-synth2's are, and
seen-synth's are on the six-area lab).  With --extra, entries of records
the truth does not hold (the demo's story, imported beside seen-synth's
records) are left out, and so are alerts about a perpetrator of those
alone; HANDLES may then be the handles of every node of a lab, one file.
Prints pairwise precision and
recall of the node's persons, and the precision and recall of its
perpetrator_multiple_households alerts against the perpetrators the
truth has with children in two households (named as perpetrator in
records holding a child, of two households, when the truth says each
record's household, as seen-synth2's does; else the scenarios
perpetrator_two_authorities and perpetrator_two_households), with each
wrong alert put down to one cause.  Exit 1 when the files do not fit.
"""
import collections
import json
import sys

RULE = "perpetrator_multiple_households"


def lines(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def pairs(n):
    return n * (n - 1) // 2


def main(gendir, handles_path, persons_path, alerts_path, extra=None):
    truth, by_record = {}, collections.defaultdict(list)
    for t in lines(gendir + "/truth.jsonl"):
        truth[(t["record"], t["ref"])] = t
        by_record[t["record"]].append(t)
    handle, outside = {}, 0
    for h in lines(handles_path):
        t = truth.get((h["record"], h["ref"]))
        if t is None and extra == "--extra":
            outside += 1    # a record not generated (the demo's story)
            continue
        if t is None:
            sys.exit("score_node: %s/%s is not in the truth" % (h["record"],
                                                               h["ref"]))
        handle[h["handle"]] = t
    if outside:
        print("  %d entries of records outside the truth left out"
              % outside)
    if len(handle) != len(truth):
        sys.exit("score_node: %d handles for %d truth lines (record ids "
                 "not unique over the lab?)" % (len(handle), len(truth)))

    # Pairwise, over the node's persons.
    label = {}
    for p in lines(persons_path):
        for m in p["members"]:
            label[m["handle"]] = p["person"]
    for h in handle:                  # an entry in no person is alone
        label.setdefault(h, "alone:" + h)
    cell = collections.Counter((label[h], t["person"])
                               for h, t in handle.items())
    tp = sum(pairs(n) for n in cell.values())
    pred = sum(pairs(n) for n in collections.Counter(label.values())
               .values())
    true = sum(pairs(n) for n in collections.Counter(
        t["person"] for t in handle.values()).values())
    pr = tp / pred if pred else 0
    rc = tp / true if true else 0
    f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0
    print("  persons: pairwise precision %.4f  recall %.4f  F1 %.4f  "
          "(%d entries, %d truth persons, %d node persons)"
          % (pr, rc, f1, len(handle), len(set(t["person"] for t in
                                              handle.values())),
             len(set(label.values()))))

    # Alerts against the perpetrators with children in two households.
    want = set()
    for s in lines(gendir + "/scenarios.jsonl"):
        if s["scenario"] in ("perpetrator_two_authorities",
                             "perpetrator_two_households"):
            want.add(s["person"])
    if all("household" in t for t in truth.values()):
        # The truth says which household each record is of (seen-synth2):
        # a perpetrator with children in two households is one named as
        # perpetrator in records with a child of two households.  A man
        # who moved, but whose records show children in one household
        # only, has nothing for any rule to find.
        homes = collections.defaultdict(set)
        for rec, ts in by_record.items():
            if any(t["role"] in ("child", "unborn") for t in ts):
                for t in ts:
                    if t["role"] == "perpetrator":
                        homes[t["person"]].add(t["household"])
        moved = len(want)
        want = set(p for p, h in homes.items() if len(h) >= 2)
        print("  truth: %d perpetrators with children in records of two "
              "households or more (%d moved to a second household)"
              % (len(want), moved))
    alerts = [a for a in lines(alerts_path) if a["rule"] == RULE and
              any(m["handle"] in handle for m in a["members"]
                  if m["role"] == "perpetrator")]
    right, found, causes = 0, set(), collections.Counter()
    for a in alerts:
        perps = collections.Counter(
            handle[m["handle"]]["person"] for m in a["members"]
            if m["role"] == "perpetrator" and m["handle"] in handle)
        who = perps.most_common(1)[0][0] if perps else None
        if who in want:
            right += 1
            found.add(who)
            continue
        causes[cause(a, perps, handle, by_record)] += 1
    n = len(alerts)
    print("  %s: %d alerts, %d right: precision %.4f; recall %d of %d "
          "(%.4f)" % (RULE, n, right, right / n if n else 0, len(found),
                      len(want), len(found) / len(want) if want else 0))
    for c, k in causes.most_common():
        print("    wrong, %-58s %d" % (c, k))
    return 0


def cause(a, perps, handle, by_record):
    """Why an alert about a man with one household was raised."""
    if len(perps) > 1:
        return "two men merged into one person"
    homes, las = set(), set()
    for m in a["members"]:
        t = handle.get(m["handle"])
        if m["role"] != "perpetrator" or t is None:
            continue
        las.add(m.get("local_authority"))
        for o in by_record[t["record"]]:
            if o["role"] in ("adult_victim", "parent"):
                homes.add((o["role"], o["person"]))
    adults = set(p for _, p in homes)
    if len(las) >= 2:
        return "records in two local authorities (one household)"
    if any(r == "parent" for r, _ in homes) and len(adults) >= 2:
        return "a second adult of the same household (role parent)"
    if len(adults) >= 2:
        return "two adults named as victim with him (one household)"
    return "one victim seen as two persons (a split)"


if __name__ == "__main__":
    if len(sys.argv) not in (5, 6) or (len(sys.argv) == 6 and
                                       sys.argv[5] != "--extra"):
        sys.exit(__doc__.strip().split("\n\n")[1])
    sys.exit(main(*sys.argv[1:]))
