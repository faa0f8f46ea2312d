#!/usr/bin/python3
"""test_report_browser.py: `seen report` pages checked in headless Chromium.

Renders, with `seen report --from-json` (no node needed), the sample of
the chronology contract (tests/data/report/sample.json) and variants of
it made below, each a case the issue names: a person with no
disclosures, one with decisions to withhold (with and without a reason),
one whose voice is missing everywhere, a shielded person whose chronology
(wrongly) carries an address, postcode and date of birth, and one whose
text is hostile HTML.  Each page goes through report_check.check().
First the harness proves it can fail: a page without a CSP that loads an
image from the network must be caught.

usage: test_report_browser.py --seen BIN/seen --out DIR
Exit 0 when every case passes; 1 with the failures; "skipped: ..." and 0
only when chromium is not installed.
"""

import argparse
import copy
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cdp            # noqa: E402
import report_check   # noqa: E402

SAMPLE = os.path.join(HERE, "..", "data", "report", "sample.json")


def no_disclosures(doc):
    """Nothing shared with this node: every other agency's record is an
    index entry only, and only this node's own words of the child."""
    for e in doc["events"]:
        if e["shared"] != "own":
            e.update(shared="not_requested", request=None, details=None,
                     withheld_reason=None, decisions=[])
    for v in doc["voice"]:
        if v["node"] != doc["node"]:
            v["quotes"] = []
    for p in doc["people"]:
        if doc["node"] not in p["known_to"]:
            p["name"] = None
    return doc, ["I hid under the bed"]


def withheld(doc):
    """Every request withheld: one with its reason, the others without;
    one record asked for twice (withheld once, then pending)."""
    n = 0
    for e in doc["events"]:
        if e["shared"] in ("shared", "pending", "withheld"):
            e.update(shared="withheld", details=None,
                     withheld_reason="Reason %d: live investigation" % n
                     if n == 0 else None)
            if n == 0:
                e["requests"] = [
                    {"request": e["request"], "handle": "0" * 32,
                     "status": "withheld", "reason": e["withheld_reason"]},
                    {"request": "f" * 32, "handle": "1" * 32,
                     "status": "pending", "reason": None}]
            n += 1
    for v in doc["voice"]:
        if v["node"] != doc["node"]:
            v["quotes"] = []
    return doc, ["I hid under the bed", "Neighbour called police"]


def voice_missing(doc):
    """No agency recorded the child's voice."""
    for e in doc["events"]:
        if e["child_voice"] == "recorded":
            e["child_voice"] = "not_recorded"
        if e.get("details"):
            e["details"].pop("child_voice", None)
    for v in doc["voice"]:
        v["not_recorded"] += v["recorded"]
        v["recorded"] = 0
        v["quotes"] = []
    return doc, ["I hid under the bed", "likes it when it is quiet"]


def shielded(doc):
    """A shielded subject; the chronology wrongly carries her address,
    postcode and date of birth, which the page must never show."""
    subj = doc["subject"]
    for p in doc["people"]:
        if p["person"] == subj:
            p["shielded"] = True
            p["address"] = "14 Oxford Road"
            p["postcode"] = "RG1 5DF"
    for e in doc["events"]:
        for p in (e.get("details") or {}).get("people", []):
            if p["person"] == subj:
                p.update(address="14 Oxford Road", postcode="RG1 5DF",
                         date_of_birth="2020-09-30")
        if e.get("details"):
            e["details"]["address"] = "14 Oxford Road"
    return doc, ["Oxford Road", "RG1 5DF", "RG15DF", "2020-09-30"]


def hostile(doc):
    """Text that is HTML: it must show as text and run nothing."""
    bad = '<script>window.x=1</script><img src="http://192.0.2.1/x.png">'
    doc["people"][0]["name"] = "Mia " + bad
    doc["purpose"] = "strategy \" onmouseover=\"x\" " + bad
    doc["events"][0]["details"]["summary"] = "</td></tr></table>" + bad
    doc["agencies"][0]["agency"] = "Police & <b>Crime</b> " + bad
    doc["alerts"][0]["asks"] = bad
    return doc, []


CASES = [("sample", lambda d: (d, [])), ("no-disclosures", no_disclosures),
         ("withheld", withheld), ("voice-missing", voice_missing),
         ("shielded", shielded), ("hostile", hostile)]

CANARY = ('<!DOCTYPE html><html lang="en"><head><title>canary</title>'
          '</head><body><main><h1>canary</h1>'
          '<img alt="x" src="http://192.0.2.1/canary.png"></main></body>'
          '</html>\n')


def canary(b, out):
    """The harness must catch a page that loads something from outside."""
    path = os.path.join(out, "canary.html")
    with open(path, "w") as f:
        f.write(CANARY)
    b.blocked = []
    b.open(path)
    caught = [u for _, u in b.blocked if "canary.png" in u]
    b.close_page()
    return [] if caught else ["the harness let a page load an image"]


def render(seen, doc, out, name):
    src = os.path.join(out, name + ".json")
    html = os.path.join(out, name + ".html")
    with open(src, "w") as f:
        json.dump(doc, f, indent=1)
    r = subprocess.run([seen, "report", "--from-json", src, "--html", html],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("seen report failed on %s: %s" % (name, r.stderr))
    if os.stat(html).st_mode & 0o777 != 0o600:
        raise SystemExit("%s: mode %o, not 0600" %
                         (html, os.stat(html).st_mode & 0o777))
    return html


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seen", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--case", action="append")
    args = ap.parse_args()
    chromium = cdp.find_chromium()
    if chromium is None:
        print("skipped: chromium is not installed (apt-get install chromium)")
        return 0
    os.makedirs(args.out, exist_ok=True)
    with open(SAMPLE) as f:
        sample = json.load(f)
    failures = []
    b = cdp.Chromium(chromium)
    try:
        failures += canary(b, args.out)
        for name, make in CASES:
            if args.case and name not in args.case:
                continue
            doc, forbidden = make(copy.deepcopy(sample))
            html = render(args.seen, doc, args.out, name)
            bad = report_check.check(b, html, doc, args.out, name, forbidden)
            print("%s: %s" % (name, "ok" if not bad else "FAILED"))
            failures += ["%s: %s" % (name, m) for m in bad]
    finally:
        b.close()
    for m in failures:
        print("FAIL " + m)
    print("screenshots and PDFs in " + args.out)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
