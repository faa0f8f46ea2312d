#!/usr/bin/python3
"""chaos.py: a lab under faults; after each cycle, every node must agree.

Builds a lab of N nodes on loopback in a user, mount and network
namespace of its own (its own loopback: no clash with other labs), each
node's membership endpoint a proxy port (proxy.py) so that links can be
delayed, held or cut.  One node lives on a small tmpfs that the harness
fills.  Then, each cycle: imports of seen-synth records at several nodes
while replication runs, and faults at random moments (SIGKILL of a node
during an import or during replication and a restart, partitions, link
delays, a full disk); then everything is healed, failed imports are
retried, `seen lab wait` waits for convergence, and the checks run:

  agree     every node holds every origin's feed at the same size, and
            every node's persons (`seen persons --json`: which handles
            the matcher put together) are the same
  lost      every import the CLI said was committed, and every failed one
            once retried, is in its node's handles and counted in every
            node's entries; its origin's feed holds one leaf per entry
  twice     no (record, person) appears twice in an origin's handles;
            entries at every node equal what was imported
  honest    no node raised a feed_equivocation alert or counted an
            inconsistent peer, and every daemon is still running; at
            the end, every node's audit export verifies, together

With --reference, a lab that never faulted imports the same files at
the end, and the persons of both (as sets of origin, record and person
ref: handles differ between labs) are compared: a figure, not a check
(see Chaos.reference).

A check that fails is a divergence: printed, counted, and the run exits
1.  Figures at the end: cycles run, faults injected by kind, divergences.
Standard library only (docs/operations.md, "Chaos").
"""

import argparse
import collections
import fcntl
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proxy  # noqa: E402

TYPES = ["social_care", "police", "health", "school", "probation"]
DISK_MB = 192          # the tmpfs of the node whose disk fills
REAL_BASE, PROXY_BASE = 20000, 21000
HANG_S = 180           # an import not done by then hangs (they take < 1 s)


def log(msg):
    print("chaos: " + msg, flush=True)


def loopback_up():
    """Bring up lo in this (new) network namespace: SIOCSIFFLAGS IFF_UP."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    req = struct.pack("16sH22x", b"lo", 0)
    flags = struct.unpack("16sH22x", fcntl.ioctl(s, 0x8913, req))[1]
    fcntl.ioctl(s, 0x8914, struct.pack("16sH22x", b"lo", flags | 1))
    s.close()


class Lab:
    """A lab of ${n} nodes in ${root}, built as `seen lab up` builds one
    but with each membership endpoint at a proxy port."""

    def __init__(self, seen_bin, root, n, heads_every, base=0, disk=True):
        self.bin, self.root, self.n = seen_bin, root, n
        self.seen = os.path.join(seen_bin, "seen")
        self.names = ["chaos-%s-%d" % (TYPES[i % len(TYPES)].replace(
            "_", "-"), i) for i in range(n)]
        self.types = {nm: TYPES[i % len(TYPES)]
                      for i, nm in enumerate(self.names)}
        self.disk_node = self.names[-1] if disk else None
        self.disk = os.path.join(root, "disk")
        self.heads_every = heads_every
        self.links = proxy.Links(self.pids)
        self.base = base
        self.env = dict(os.environ,
                        SEEN_PASSPHRASE_FILE=os.path.join(root, "passphrase"))

    def home(self, name):
        return os.path.join(self.root, name)

    def run(self, *args, home=None, op=None, check=True, timeout=300):
        """Run seen with ${args}; returns CompletedProcess."""
        cmd = [self.seen]
        if home is not None:
            cmd += ["--home", self.home(home)]
        if op is not None:
            cmd += ["--as", op]
        r = subprocess.run(cmd + list(args), capture_output=True, text=True,
                           timeout=timeout, env=self.env)
        if check and r.returncode != 0:
            raise RuntimeError("seen %s: exit %d: %s" % (
                " ".join(args), r.returncode, r.stderr.strip()))
        return r

    def pid(self, name):
        try:
            with open(os.path.join(self.home(name), "seen-node.pid")) as f:
                return int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def alive(self, name):
        p = self.pid(name)
        if p is None:
            return False
        try:
            with open("/proc/%d/stat" % p) as f:
                return f.read().split()[2] != "Z"
        except OSError:
            return False

    def pids(self):
        return {nm: self.pid(nm) for nm in self.names if self.pid(nm)}

    def build(self):
        """Authority, homes, proxies, daemons, the signed document."""
        with open(self.env["SEEN_PASSPHRASE_FILE"], "w") as f:
            f.write("chaos lab passphrase\n")
        os.chmod(self.env["SEEN_PASSPHRASE_FILE"], 0o600)
        auth = os.path.join(self.root, "authority")
        out = self.run("federation", "init", auth, "--name", "Chaos lab",
                       "--kdf", "interactive").stdout
        self.authority = re.search(r"[0-9a-f]{64}", out).group(0)
        if self.disk_node is not None:
            os.makedirs(self.disk)
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm" % DISK_MB,
                            "tmpfs", self.disk], check=True)
        nodes = []
        for i, nm in enumerate(self.names):
            h = self.home(nm)
            at = os.path.join(self.disk, nm) if nm == self.disk_node else h
            self.run("--home", at, "init", "--name", nm, "--type",
                     self.types[nm], "--local-authority", "Reading", "--kdf",
                     "interactive")
            if at != h:
                os.symlink(os.path.join("disk", nm), h)
            real = REAL_BASE + self.base + i
            self.configure(nm, real)
            self.links.listen(nm, PROXY_BASE + self.base + i, real)
            self.run("node", "start", home=nm)
            self.run("identity", home=nm)
            ep = "tcp://127.0.0.1:%d" % (PROXY_BASE + self.base + i)
            self.run("federation", "add", auth, "--home", h, "--endpoint", ep)
            nodes.append({"name": nm, "type": self.types[nm],
                          "local_authority": "Reading", "endpoint": ep})
        self.run("federation", "sign", auth)
        with open(os.path.join(self.root, "lab.json"), "w") as f:
            json.dump({"federation": "Chaos lab", "authority": self.authority,
                       "nodes": nodes}, f, indent=2)
        doc = os.path.join(auth, "membership.pb")
        for nm in self.names:
            self.run("membership", "install", doc, "--authority",
                     self.authority, home=nm, check=False)
            for op in ("lead", "auditor"):
                self.run("operator", "add", op, "--role", op, home=nm,
                         op="admin")

    def configure(self, name, port):
        """seen.conf: the real port; a short heads_every; the disk node a
        small map (its disk is the tmpfs)."""
        path = os.path.join(self.home(name), "seen.conf")
        with open(path) as f:
            conf = f.read()
        conf = re.sub(r"(?m)^listen = .*$",
                      "listen = tcp://127.0.0.1:%d" % port, conf)
        conf = re.sub(r"(?m)^heads_every = .*$",
                      "heads_every = %d" % self.heads_every, conf)
        if name == self.disk_node:
            conf = re.sub(r"(?m)^map_size_mb = .*$", "map_size_mb = 16", conf)
            conf = re.sub(r"(?m)^map_limit_mb = .*$", "map_limit_mb = 1024",
                          conf)
        else:
            conf = re.sub(r"(?m)^map_size_mb = .*$", "map_size_mb = 1024",
                          conf)
        with open(path, "w") as f:
            f.write(conf)

    def start(self, name):
        """Start node ${name} if it is not running.  Returns True if it
        runs."""
        if self.alive(name):
            return True
        return self.run("node", "start", home=name, check=False,
                        timeout=120).returncode == 0

    def kill(self, name):
        """SIGKILL node ${name}'s daemon.  Returns True if it was running."""
        p = self.pid(name)
        if p is None or not self.alive(name):
            return False
        os.kill(p, signal.SIGKILL)
        for _ in range(100):
            if not self.alive(name):
                break
            time.sleep(0.02)
        return True

    def status(self, name):
        r = self.run("status", "--json", home=name, check=False, timeout=60)
        return json.loads(r.stdout) if r.returncode == 0 else None

    def jsonl(self, *args, home, op=None):
        r = self.run(*args, home=home, op=op, timeout=300)
        return [json.loads(x) for x in r.stdout.splitlines() if x.strip()]

    def person_sets(self):
        """The persons of the first node, each as the set of (origin,
        record, ref) of its members: comparable between two labs, whose
        handles differ."""
        who = {}
        for nm in self.names:
            for h in self.jsonl("handles", "--json", home=nm):
                who[(nm, h["handle"])] = (nm, h["record"], h["ref"])
        return {frozenset(who.get((m["node"], m["handle"]),
                                  ("?", m["node"], m["handle"]))
                          for m in p["members"])
                for p in self.jsonl("persons", "--json", home=self.names[0],
                                    op="lead")}

    def fill_disk(self):
        """Fill the disk node's tmpfs, all but 64 KiB."""
        st = os.statvfs(self.disk)
        left = st.f_bavail * st.f_frsize - (64 << 10)
        with open(os.path.join(self.disk, "ballast"), "wb") as f:
            chunk = b"\0" * (1 << 20)
            while left > 0:
                try:
                    f.write(chunk[:min(left, len(chunk))])
                    f.flush()
                except OSError:
                    break
                left -= len(chunk)

    def free_disk(self):
        try:
            os.unlink(os.path.join(self.disk, "ballast"))
        except FileNotFoundError:
            pass

    def down(self):
        """Stop every daemon of the lab (SIGKILL one that will not)."""
        self.links.heal()
        self.free_disk()
        for nm in self.names:
            if self.alive(nm):
                r = self.run("node", "stop", home=nm, check=False, timeout=60)
                if r.returncode != 0 and self.alive(nm):
                    self.kill(nm)
        self.links.close()


class Import:
    """One file imported at one node: its records' (id, ref) pairs."""

    def __init__(self, node, path, cycle):
        self.node, self.path, self.cycle = node, path, cycle
        self.pairs = []
        with open(path) as f:
            for line in f:
                rec = json.loads(line)
                for p in rec["people"]:
                    self.pairs.append((rec["id"], p["ref"]))
        self.proc = None
        self.outcome = None    # "committed", "failed", "retried", "found"
        self.err = ""


class Chaos:
    """The cycles, the faults, the checks and the figures."""

    def __init__(self, lab, rnd, households, work):
        self.lab, self.rnd, self.households, self.work = \
            lab, rnd, households, work
        self.faults = collections.Counter()
        self.divergences = []
        self.imports = []
        self.cycles = 0
        self.per_entry = 0.001   # s an import takes an entry, measured
        self.faulty = True       # False: a control run, no faults at all

    def diverge(self, what):
        self.divergences.append("cycle %d: %s" % (self.cycles, what))
        log("DIVERGENCE: " + what)

    def synth(self, cycle):
        """Records for every node for ${cycle}, ids made unique."""
        out = os.path.join(self.work, "synth-%d" % cycle)
        man = os.path.join(self.work, "manifest.json")
        if not os.path.exists(man):
            with open(man, "w") as f:
                json.dump({"federation": "Chaos lab", "nodes": [
                    {"name": nm, "type": self.lab.types[nm],
                     "local_authority": "Reading"} for nm in self.lab.names]},
                    f)
        subprocess.run([os.path.join(self.lab.bin, "seen-synth"),
                        "--manifest", man, "--out", out, "--households",
                        str(self.households), "--seed", str(1000 + cycle)],
                       check=True, capture_output=True)
        files = {}
        for nm in self.lab.names:
            path = os.path.join(out, "c%d-%s.jsonl" % (cycle, nm))
            with open(os.path.join(out, nm + ".jsonl")) as src, \
                    open(path, "w") as dst:
                for line in src:
                    dst.write(line.replace('{"id":"', '{"id":"c%d-' % cycle,
                                           1))
            files[nm] = path
        return files

    def start_import(self, imp):
        cmd = [self.lab.seen, "--home", self.lab.home(imp.node), "import",
               "--quiet", imp.path]
        imp.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True,
                                    env=self.lab.env)
        imp.t0, imp.t1 = time.monotonic(), None

    def finish_import(self, imp, timeout=HANG_S):
        try:
            _, err = imp.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            imp.proc.kill()
            _, err = imp.proc.communicate()
            self.diverge("an import at %s hung" % imp.node)
        imp.err = err.strip()
        imp.outcome = "committed" if imp.proc.returncode == 0 else "failed"
        took = (imp.t1 or time.monotonic()) - imp.t0
        if imp.outcome == "committed" and imp.pairs:
            self.per_entry = (self.per_entry + took / len(imp.pairs)) / 2
        log("  import at %s (%d entries): %s after %.1f s%s" % (
            imp.node, len(imp.pairs), imp.outcome,
            took,
            (": " + " / ".join(x for x in imp.err.splitlines()
                               if "warning:" not in x))
            if imp.outcome == "failed" and imp.err else ""))

    def plan(self, importers, imps):
        """The faults of one cycle, as (seconds from its start, kind, arg)."""
        r, names, ev = self.rnd, self.lab.names, []
        for _ in range(r.randint(0, 2)):
            a, b = r.sample(names, 2)
            ev.append((0.0, "delay", (a, b, r.choice([20, 100, 300]))))
        if r.random() < 0.6:
            side = r.sample(names, r.randint(1, len(names) - 1))
            ev.append((r.uniform(0, 1.5), r.choice(["cut", "hold"]), side))
        if r.random() < 0.4:
            ev.append((r.choice([0.0, r.uniform(0, 1.0)]), "disk_full", None))
        if r.random() < 0.7:
            # An import takes about ${per_entry} s an entry: kill its node
            # before it is likely to be done.
            victim = r.choice(importers)
            n = len(next(i for i in imps if i.node == victim).pairs)
            ev.append((r.uniform(0.01, 0.8 * n * self.per_entry), "kill",
                       victim))
        if r.random() < 0.7:
            ev.append((r.uniform(1.0, 4.0), "kill", r.choice(names)))
        return sorted(ev, key=lambda e: e[0])

    def inject(self, kind, arg, dead, imps):
        """Apply one fault; a killed node goes in ${dead} (a kill counts as
        during an import when one of ${imps} is running at that node)."""
        lab = self.lab
        if kind == "delay":
            lab.links.set(arg[0], arg[1], proxy.DELAY, arg[2])
        elif kind in ("cut", "hold"):
            state = proxy.CUT if kind == "cut" else proxy.HOLD
            for a in arg:
                for b in lab.names:
                    if b not in arg:
                        lab.links.set(a, b, state)
            kind = "partition_" + kind
        elif kind == "disk_full":
            lab.fill_disk()
        else:
            importing = any(i.node == arg and i.proc.poll() is None
                            for i in imps)
            if not lab.kill(arg):
                return
            kind = "kill_during_import" if importing else \
                "kill_during_replication"
            # Restarted at once, or after a while: a CLI waiting on the
            # daemon killed must notice either way.
            dead[arg] = time.monotonic() + self.rnd.choice(
                [0.0, self.rnd.uniform(0.3, 2.0)])
        self.faults[kind] += 1
        log("  fault: %s %s" % (kind, arg if arg is not None else ""))

    def cycle(self, c):
        lab, r = self.lab, self.rnd
        files = self.synth(c)
        importers = r.sample(lab.names, r.randint(1, len(lab.names)))
        imps = [Import(nm, files[nm], c) for nm in importers]
        self.imports += imps
        events = self.plan(importers, imps) if self.faulty else []
        log("cycle %d: imports at %s" % (c, " ".join(importers)))
        dead = {}
        while events and events[0][0] <= 0:
            self.inject(events[0][1], events.pop(0)[2], dead, imps)
        t0 = time.monotonic()
        for imp in imps:
            self.start_import(imp)
        while events or dead or any(i.proc.poll() is None for i in imps):
            now = time.monotonic() - t0
            while events and events[0][0] <= now:
                _, kind, arg = events.pop(0)
                self.inject(kind, arg, dead, imps)
            for imp in imps:
                if imp.t1 is None and imp.proc.poll() is not None:
                    imp.t1 = time.monotonic()
            for nm, at in list(dead.items()):
                if time.monotonic() >= at:
                    del dead[nm]
                    if not lab.start(nm):
                        log("  %s did not restart yet (disk full?)" % nm)
            if now > HANG_S:
                break
            time.sleep(0.005)
        for imp in imps:
            self.finish_import(imp)
        self.heal()
        self.retry(imps)

    def heal(self):
        self.lab.links.heal()
        self.lab.free_disk()
        for nm in self.lab.names:
            if not self.lab.start(nm):
                self.diverge("%s does not start after healing" % nm)

    def retry(self, imps):
        """Failed imports: found whole (committed after all), or retried
        once (must succeed); partly there is a divergence."""
        for imp in imps:
            if imp.outcome != "failed":
                continue
            have = self.own_pairs(imp.node)
            there = sum(1 for p in imp.pairs if p in have)
            if there == len(imp.pairs):
                imp.outcome = "found"
                log("  import at %s: the CLI said it failed, yet its %d "
                    "entries are stored (committed before the kill)" % (
                        imp.node, there))
                continue
            if there != 0:
                self.diverge("%s: a failed import is partly stored (%d of "
                             "%d entries)" % (imp.node, there,
                                              len(imp.pairs)))
            self.start_import(imp)
            self.finish_import(imp)
            if imp.outcome != "committed":
                self.diverge("%s: a retried import failed again: %s" %
                             (imp.node, imp.err))
            imp.outcome = "retried"

    def own_pairs(self, node):
        """(record, ref) of each of ${node}'s own index entries, as a
        Counter."""
        return collections.Counter(
            (h["record"], h["ref"])
            for h in self.lab.jsonl("handles", "--json", home=node))

    def persons(self, node):
        """The persons of ${node}: a set of frozensets of (node, handle)."""
        return {frozenset((m["node"], m["handle"]) for m in p["members"])
                for p in self.lab.jsonl("persons", "--json", home=node,
                                        op="lead")}

    def check(self):
        """The checks of a healed, converged lab (see the top)."""
        lab = self.lab
        r = lab.run("lab", "wait", lab.root, "--timeout", "240", check=False,
                    timeout=300)
        if r.returncode != 0:
            self.diverge("not converged: " + r.stderr.strip())
        want = collections.Counter()
        for imp in self.imports:
            if imp.outcome in ("committed", "retried", "found"):
                want[imp.node] += len(imp.pairs)
        total = sum(want.values())
        st = {nm: lab.status(nm) for nm in lab.names}
        for nm in lab.names:
            if st[nm] is None:
                self.diverge("%s does not answer" % nm)
                return
        feeds0 = {k: v for k, v in st[lab.names[0]]["feeds"].items() if v}
        for nm in lab.names:
            feeds = {k: v for k, v in st[nm]["feeds"].items() if v}
            if feeds != feeds0:
                self.diverge("%s holds feeds %s, %s holds %s" % (
                    nm, feeds, lab.names[0], feeds0))
            if st[nm]["entries"] != total:
                self.diverge("%s indexes %d entries, %d were imported" % (
                    nm, st[nm]["entries"], total))
            if st[nm]["refused"].get("inconsistent", 0) != 0:
                self.diverge("%s counted %d inconsistent" % (
                    nm, st[nm]["refused"]["inconsistent"]))
            own = st[nm]["feeds"].get(nm)
            if own is not None and own != want[nm]:
                self.diverge("%s's own feed has %d leaves, %d entries were "
                             "imported there" % (nm, own, want[nm]))
        for nm in lab.names:
            have = self.own_pairs(nm)
            dup = sum(1 for v in have.values() if v > 1)
            if dup:
                self.diverge("%s: %d entries stored twice" % (nm, dup))
            for imp in self.imports:
                if imp.node == nm and imp.outcome != "failed":
                    miss = sum(1 for p in imp.pairs if p not in have)
                    if miss:
                        self.diverge("%s: %d entries of %s lost" % (
                            nm, miss, os.path.basename(imp.path)))
            alerts = lab.jsonl("alerts", "--json", home=nm, op="lead")
            if any(a["rule"] == "feed_equivocation" for a in alerts):
                self.diverge("%s raised a feed_equivocation alert" % nm)
        p0 = self.persons(lab.names[0])
        for nm in lab.names[1:]:
            if self.persons(nm) != p0:
                self.diverge("%s's persons differ from %s's" % (
                    nm, lab.names[0]))

    def reference(self):
        """At the end: a lab that never faulted imports the same files,
        each cycle's at once as here; compare its persons with these.  A
        figure, not a check: the matcher's persons depend on how imports
        at several nodes interleave (the same files imported one after
        another and all at once give persons that differ, with no fault
        at all), so a difference here is not a divergence."""
        lab = self.lab
        os.makedirs(os.path.join(self.work, "reference"))
        ref = Lab(lab.bin, os.path.join(self.work, "reference"), lab.n,
                  lab.heads_every, base=100, disk=False)
        try:
            ref.build()
            for c in range(1, self.cycles + 1):
                procs = [subprocess.Popen(
                    [ref.seen, "--home", ref.home(i.node), "import",
                     "--quiet", i.path], env=ref.env,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    for i in self.imports
                    if i.cycle == c and i.outcome != "failed"]
                if any(p.wait() != 0 for p in procs):
                    log("reference: an import failed")
                    return
            r = ref.run("lab", "wait", ref.root, "--timeout", "240",
                        check=False, timeout=300)
            if r.returncode != 0:
                log("reference: the lab that never faulted did not converge")
                return
            mine, theirs = lab.person_sets(), ref.person_sets()
            log("reference: persons here %d, in a lab that never faulted "
                "%d, the same %d (not a check: see chaos.py reference)" % (
                    len(mine), len(theirs), len(mine & theirs)))
            for where, ps in (("here", mine - theirs),
                              ("there", theirs - mine)):
                for p in sorted(ps, key=sorted)[:4]:
                    log("  only %s: %s" % (where, " + ".join(
                        "/".join(m) for m in sorted(p))))
        finally:
            ref.down()

    def audit(self):
        """At the end: every node's audit export, verified together
        (docs/audit-format.md): each exchange log whole and consistent
        with the checkpoints the others hold of it, despite the kills."""
        lab, dirs = self.lab, []
        for nm in lab.names:
            d = os.path.join(self.work, "audit", nm)
            os.makedirs(os.path.dirname(d), exist_ok=True)
            r = lab.run("audit", "export", d, home=nm, op="auditor",
                        check=False)
            if r.returncode != 0:
                self.diverge("%s: audit export failed: %s" % (
                    nm, r.stderr.strip()))
                return
            dirs.append(d)
        r = lab.run("audit", "verify", "--json", "--authority", lab.authority,
                    *dirs, check=False)
        bad = [c for c in (json.loads(x) for x in r.stdout.splitlines()
                           if x.strip()) if not c["ok"] or c["finding"]]
        for c in bad:
            self.diverge("audit verify: %s: %s: %s" % (
                os.path.basename(c["export"]), c["check"], c["detail"]))
        if r.returncode != 0 and not bad:
            self.diverge("audit verify failed: " + r.stderr.strip())
        log("audit: %d exports verified together%s" % (
            len(dirs), "" if r.returncode == 0 else ": FAILED"))

    def sabotage(self, kind):
        """Break what the checks guard, behind their back, to show that
        they fail: "twice" imports a committed file again, each record
        changed by a field the checks do not know of (its entries are
        retracted and published again: its feed no longer matches what
        was imported; the same file as it stands would be left alone);
        "lost" counts an import that never ran; "down" leaves a node
        stopped."""
        lab = self.lab
        log("  sabotage: " + kind)
        if kind == "twice":
            imp = next(i for i in self.imports if i.outcome != "failed")
            path = os.path.join(self.work, "again.jsonl")
            with open(imp.path) as src, open(path, "w") as dst:
                for line in src:
                    dst.write(line.replace('{"id":"', '{"sabotage":1,"id":"', 1))
            lab.run("import", "--quiet", path, home=imp.node)
        elif kind == "lost":
            path = os.path.join(self.work, "phantom.jsonl")
            with open(self.imports[0].path) as src, open(path, "w") as dst:
                dst.write(src.readline().replace('{"id":"', '{"id":"x-', 1))
            imp = Import(lab.names[0], path, self.cycles)
            imp.outcome = "committed"
            self.imports.append(imp)
        elif kind == "down":
            lab.run("node", "stop", home=lab.names[0])

    def scan_logs(self):
        """A daemon that asserted, raised an ALERT or met a sanitizer error
        (a run with build-asan/bin) is a divergence.  Returns how many
        lines said so."""
        pat = re.compile(r"Assertion|ALERT|AddressSanitizer|LeakSanitizer|"
                         r"UndefinedBehaviorSanitizer|runtime error:")
        n = 0
        for nm in self.lab.names:
            path = os.path.join(self.lab.home(nm), "seen-node.log")
            if not os.path.exists(path):
                continue
            with open(path, errors="replace") as f:
                bad = [x.rstrip() for x in f if pat.search(x)]
            for x in bad[:3]:
                self.diverge("%s's log: %s" % (nm, x))
            n += len(bad)
        return n

    def report(self):
        outcomes = collections.Counter(i.outcome for i in self.imports)
        log("cycles run: %d" % self.cycles)
        log("faults injected: %d (%s)" % (sum(self.faults.values()), ", ".join(
            "%s %d" % kv for kv in sorted(self.faults.items())) or "none"))
        log("imports: %d (%s)" % (len(self.imports), ", ".join(
            "%s %d" % kv for kv in sorted(outcomes.items()))))
        log("connections of unknown origin at the proxies: %d" %
            self.lab.links.unknown)
        log("divergences found: %d" % len(self.divergences))
        for d in self.divergences:
            log("  " + d)


def inside(args):
    """The run itself, inside the namespaces."""
    loopback_up()
    rnd = random.Random(args.seed)
    work = args.dir or tempfile.mkdtemp(prefix="seen-chaos-")
    root = os.path.join(work, "lab")
    os.makedirs(root)
    lab = Lab(args.seen_bin, root, args.nodes, args.heads_every)
    chaos = Chaos(lab, rnd, args.households, work)
    chaos.faulty = not args.no_faults
    log("seed %d, %d nodes, %d cycles, in %s" % (args.seed, args.nodes,
                                                 args.cycles, work))
    rc = 1
    try:
        lab.build()
        for c in range(1, args.cycles + 1):
            chaos.cycles = c
            chaos.cycle(c)
            if c == args.cycles and args.sabotage:
                chaos.sabotage(args.sabotage)
            chaos.check()
        chaos.audit()
        if args.reference:
            chaos.reference()
        rc = 0 if not chaos.divergences else 1
    except Exception as e:  # noqa: BLE001 -- reported, then the lab stops
        chaos.diverge("the harness failed: %r" % e)
    finally:
        lab.down()
        if chaos.scan_logs():
            rc = 1
        chaos.report()
        if rc == 0 and not args.keep:
            subprocess.run(["umount", lab.disk], check=False)
            shutil.rmtree(work, ignore_errors=True)
        else:
            log("kept %s (the disk node's home was on a tmpfs, gone)" % work)
    return rc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seen-bin", required=True)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--cycles", type=int, default=3)
    ap.add_argument("--households", type=int, default=80)
    ap.add_argument("--heads-every", type=int, default=10)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--no-faults", action="store_true",
                    help="a control run: the same imports, no fault")
    ap.add_argument("--reference", action="store_true",
                    help="at the end, compare the persons with those of a "
                    "lab that never faulted (a figure, not a check)")
    ap.add_argument("--sabotage", choices=["twice", "lost", "down"],
                    help="break the lab on purpose after the last cycle: "
                    "the run must then find a divergence")
    args = ap.parse_args()
    if not 3 <= args.nodes <= 5:
        ap.error("--nodes: 3 to 5")
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 31)
    args.seen_bin = os.path.abspath(args.seen_bin)
    if os.environ.get("SEEN_CHAOS_INSIDE") == "1":
        return inside(args)
    if subprocess.run(["unshare", "-rmn", "true"],
                      capture_output=True).returncode != 0:
        print("skipped: cannot make a user, mount and network namespace "
              "here (unshare -rmn)")
        return 0
    env = dict(os.environ, SEEN_CHAOS_INSIDE="1")
    argv = [sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
    if "--seed" not in sys.argv:
        argv += ["--seed", str(args.seed)]
    return subprocess.run(["unshare", "-rmn", "--"] + argv,
                          env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
