"""report_check.py: what every report must be, checked in Chromium.

check(browser, html, doc, outdir, name, forbidden) opens the report
${html} (rendered from the chronology ${doc}) and returns a list of
failures, empty when it passes: no request but the file itself; the
landmarks, one h1, a labelled section with an h2 for each part; as many
events, lanes, voice marks and flags, quotes and network nodes as the
chronology says; the legend; the SVG's text alternatives; a skip link
that the keyboard reaches first and that moves focus to the report; no
script, and a Content-Security-Policy that blocks one added later; no
axe-core violation of WCAG 2.0/2.1/2.2 A and AA; none of ${forbidden}
anywhere in the file.  Screenshots at 1280x900 (desktop) and A4 size in
print media, and an A4 PDF, are written to ${outdir} as NAME-desktop.png,
NAME-a4.png, NAME.pdf.
"""

import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
AXE = os.path.join(HERE, "..", "data", "axe", "axe.min.js")
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:")
SECTIONS = ["chronology", "voice", "network", "alerts", "unknown", "legend"]
A4_PX = (794, 1123)     # 210 x 297 mm at 96 CSS pixels an inch

DOM = r"""(() => {
  const q = s => document.querySelectorAll(s);
  const svg = document.querySelector('svg.network');
  return {
    lang: document.documentElement.lang,
    h1: q('h1').length, header: q('body > header').length,
    nav: q('nav[aria-label]').length, main: q('main').length,
    footer: q('body > footer').length,
    sections: [...q('main > section')].map(s => ({
      id: s.id, by: s.getAttribute('aria-labelledby'),
      h2: s.querySelector('h2') ? s.querySelector('h2').id : null})),
    events: q('#chronology .event').length,
    lanes: q('#chronology th.lane').length,
    voiceMarks: q('#chronology .voice-recorded').length,
    voiceMissing: q('#chronology .voice-missing').length,
    voiceFlags: q('#voice .voice-flag').length,
    quotes: q('#voice blockquote').length,
    withheld: [...q('#chronology .reason')].map(e => e.textContent),
    alerts: q('#alerts article.alert').length,
    unknown: q('#unknown tbody tr').length,
    legend: q('#legend dt').length,
    svg: svg ? {role: svg.getAttribute('role'),
                label: svg.getAttribute('aria-label'),
                title: !!svg.querySelector(':scope > title'),
                desc: !!svg.querySelector(':scope > desc'),
                nodes: svg.querySelectorAll('g.node').length,
                people: svg.querySelectorAll('g.node.person').length,
                records: svg.querySelectorAll('g.node.record').length,
                agencies: svg.querySelectorAll('g.node.agency').length,
                authorities: svg.querySelectorAll('g.node.authority').length}
             : null,
    peopleRows: q('#network table.people tbody tr').length,
    scripts: document.scripts.length,
    csp: (document.querySelector(
      'meta[http-equiv="Content-Security-Policy"]') || {}).content,
    external: [...q('[src],[href],[srcset],[poster],[data]')]
      .map(e => e.getAttribute('src') || e.getAttribute('href') ||
                e.getAttribute('srcset') || e.getAttribute('data') || '')
      .filter(u => !u.startsWith('#')),
    brokenLinks: [...q('a[href^="#"]')].map(a => a.getAttribute('href'))
      .filter(h => !document.getElementById(h.slice(1))),
    alertLinks: q('#alerts a[href^="#event-"]').length,
    styleUrls: [...q('style')].map(s => s.textContent)
      .filter(t => /url\(|@import/.test(t)).length,
  };
})()"""

AXE_RUN = r"""axe.run(document, {runOnly: {type: 'tag',
  values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
  resultTypes: ['violations']}).then(r => ({passes: r.passes.length,
  violations: r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' +
                                   n.failureSummary)}))}))"""


def expected(doc):
    """What the page of ${doc} must hold, worked out from the JSON."""
    ev = doc.get("events", [])
    ag = {a["node"]: a for a in doc.get("agencies", [])}
    lanes = list(ag) + [n for n in dict.fromkeys(e["node"] for e in ev)
                        if n not in ag]
    nodes = list(dict.fromkeys(e["node"] for e in ev))
    las = set()
    for n in nodes:
        la = ag.get(n, {}).get("local_authority") or ""
        if la:
            las.add(la)
    for e in ev:
        la = e.get("local_authority") or ""
        if la and la != (ag.get(e["node"], {}).get("local_authority") or ""):
            las.add(la)
    people = {p["person"] for p in doc.get("people", []) if p.get("person")}
    records = {e["record"] for e in ev if e.get("record")}
    handles = {p.get("handle") for e in ev for p in e.get("people", [])}
    return {
        "alertLinks": sum(m.get("handle") in handles
                          for a in doc.get("alerts", [])
                          for m in a.get("members", [])),
        "events": len(ev), "lanes": len(lanes),
        "voiceMarks": sum(e.get("child_voice") == "recorded" for e in ev),
        "voiceMissing": sum(e.get("child_voice") == "not_recorded"
                            for e in ev),
        "voiceFlags": sum((v.get("not_recorded") or 0) > 0
                          for v in doc.get("voice", [])),
        "quotes": sum(len(v.get("quotes", [])) for v in doc.get("voice", [])),
        "withheld": sum(e.get("shared") == "withheld" for e in ev),
        "alerts": len(doc.get("alerts", [])),
        "unknown": len(doc.get("unknown", [])),
        "people": len(people), "records": len(records),
        "agencies": len(nodes), "authorities": len(las),
    }


def dom_failures(d, want):
    """The differences between the page's DOM ${d} and ${want}."""
    bad = []

    def same(what, got, exp):
        if got != exp:
            bad.append("%s: %r, expected %r" % (what, got, exp))

    same("lang", d["lang"], "en")
    for k in ("h1", "header", "nav", "main", "footer"):
        same("number of " + k, d[k], 1)
    same("sections", [s["id"] for s in d["sections"]], SECTIONS)
    for s in d["sections"]:
        if not s["by"] or s["by"] != s["h2"]:
            bad.append("section %s not labelled by its h2" % s["id"])
    for k in ("events", "lanes", "voiceMarks", "voiceMissing", "voiceFlags",
              "quotes", "alerts", "unknown"):
        same(k, d[k], want[k])
    same("withheld reasons shown", len(d["withheld"]), want["withheld"])
    if d["legend"] < 5:
        bad.append("legend: %d entries" % d["legend"])
    svg = d["svg"]
    if svg is None:
        bad.append("no svg.network")
    else:
        same("svg role", svg["role"], "img")
        if not svg["label"] or not svg["title"] or not svg["desc"]:
            bad.append("svg without aria-label, title or desc")
        for k in ("people", "records", "agencies", "authorities"):
            same("network " + k, svg[k], want[k])
        same("network nodes", svg["nodes"], want["people"] + want["records"]
             + want["agencies"] + want["authorities"])
    same("people table rows", d["peopleRows"], want["people"])
    same("scripts", d["scripts"], 0)
    same("Content-Security-Policy", d["csp"], CSP)
    same("external references", d["external"], [])
    same("in-page links without a target", d["brokenLinks"], [])
    same("alert entries linked to their event", d["alertLinks"],
         want["alertLinks"])
    same("style with url() or @import", d["styleUrls"], 0)
    return bad


def keyboard_failures(b):
    """The skip link is the first stop of Tab and moves focus to main."""
    bad = []
    b.evaluate("document.activeElement && document.activeElement.blur()")
    b.key("Tab", "Tab", 9)
    first = b.evaluate("""(() => { const e = document.activeElement;
      const r = e.getBoundingClientRect();
      return {cls: e.className, href: e.getAttribute('href'),
              visible: r.left >= 0 && r.top >= 0 && r.width > 0}; })()""")
    if first["cls"] != "skip" or first["href"] != "#main":
        bad.append("first Tab stop is %r, not the skip link" % first)
    elif not first["visible"]:
        bad.append("the skip link is not visible when focused")
    b.key("Enter", "Enter", 13, "\r")
    where = b.evaluate("location.hash + ' ' + document.activeElement.id")
    if where != "#main main":
        bad.append("the skip link leads to %r, not #main" % where)
    # Every link and focusable element is reachable by Tab: none has a
    # negative tabindex except main (the skip link's target).
    hidden = b.evaluate("""[...document.querySelectorAll(
      'a[href],[tabindex]')].filter(e => e.tabIndex < 0 &&
      e.tagName !== 'MAIN').length""")
    if hidden:
        bad.append("%d focusable elements kept out of the Tab order" % hidden)
    return bad


def csp_failures(b):
    """A script added to the page after load must not run."""
    ran = b.evaluate("""(() => { const s = document.createElement('script');
      s.textContent = 'window.__seen_injected = 1';
      document.head.appendChild(s); s.remove();
      return window.__seen_injected === 1; })()""")
    return ["an inline script added to the page ran: no CSP"] if ran else []


def axe_failures(b):
    with open(AXE, encoding="utf-8") as f:
        b.evaluate(f.read())
    # Runtime.evaluate is the debugger's, not the page's: the page's CSP
    # (no script at all) does not stop it, as this checks.
    if b.evaluate("typeof axe") != "object":
        return ["axe-core did not load into the page"]
    r = b.evaluate(AXE_RUN, await_promise=True)
    bad = ["axe: %s (%s): %s; %s" % (v["id"], v["impact"], v["help"],
                                     " | ".join(v["nodes"]))
           for v in r["violations"]]
    if r["passes"] < 10:
        bad.append("axe passed only %d rules: did it run?" % r["passes"])
    return bad


def check(b, html, doc, outdir, name, forbidden=()):
    """Every check above on the report ${html}; returns the failures."""
    with open(html, encoding="utf-8") as f:
        text = f.read()
    bad = ["the file holds %r, which the node was not given" % s
           for s in forbidden if s.lower() in text.lower()]
    if re.search(r"<script|<iframe|<object|<embed|<link|<img", text, re.I):
        bad.append("the file holds a script, frame, object, link or image")
    b.blocked, b.log = [], []
    b.open(html)
    bad += dom_failures(b.evaluate(DOM), expected(doc))
    b.screenshot(os.path.join(outdir, name + "-desktop.png"), 1280, 900)
    b.screenshot(os.path.join(outdir, name + "-a4.png"), *A4_PX,
                 media="print")
    b.call("Emulation.setDeviceMetricsOverride",
           {"width": 1280, "height": 900, "deviceScaleFactor": 1,
            "mobile": False})
    bad += keyboard_failures(b)
    pdf = b.pdf(os.path.join(outdir, name + ".pdf"))
    if not pdf.startswith(b"%PDF"):
        bad.append("printToPDF gave no PDF")
    bad += ["request for %s (%s)" % (u, how) for how, u in b.blocked]
    bad += ["console: " + m for m in b.log]
    bad += axe_failures(b)
    bad += csp_failures(b)
    b.close_page()
    return bad


def main():
    """report_check.py --html FILE --doc CHRONOLOGY.json --out DIR --name N
    [--forbid TEXT]...: check() on one report, for shell tests.  Exit 0
    when it passes, 1 with the failures; "skipped: ..." and 0 only when
    chromium is not installed."""
    import argparse
    import sys
    import cdp
    ap = argparse.ArgumentParser()
    ap.add_argument("--html", required=True)
    ap.add_argument("--doc", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--forbid", action="append", default=[])
    args = ap.parse_args()
    chromium = cdp.find_chromium()
    if chromium is None:
        print("skipped: chromium is not installed (apt-get install chromium)")
        return 0
    with open(args.doc) as f:
        doc = json.load(f)
    os.makedirs(args.out, exist_ok=True)
    b = cdp.Chromium(chromium)
    try:
        bad = check(b, args.html, doc, args.out, args.name, args.forbid)
    finally:
        b.close()
    for m in bad:
        print("FAIL %s: %s" % (args.name, m))
    return 1 if bad else 0


if __name__ == "__main__":
    import sys
    sys.exit(main())
