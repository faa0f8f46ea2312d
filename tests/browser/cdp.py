"""cdp.py: Debian's headless Chromium driven over the DevTools protocol.

Python 3 standard library only.  Chromium runs with
--remote-debugging-pipe: it reads commands on its fd 3 and writes replies
and events on its fd 4, each a JSON text ended by a NUL byte.  One page
is opened and attached to (flat sessions); every request it makes is
paused by the Fetch domain and refused unless it is the one file the page
was opened on, and every Network request event is recorded, so that a
page that tries to reach anything else is caught.
"""

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile

# A guard against a browser that never answers (a hang), not a timing
# measure: no test depends on how fast anything is.
HANG_SECONDS = 300


class BrowserError(Exception):
    pass


def find_chromium():
    """The path of Debian's chromium, or None."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Chromium:
    """One headless Chromium with one page, closed by close()."""

    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="seen-chromium-")
        cmd_r, cmd_w = os.pipe()    # we write, chromium reads (its fd 3)
        ev_r, ev_w = os.pipe()      # chromium writes (its fd 4), we read

        def child_fds():
            # Copies first, so that neither pipe end is already 3 or 4
            # (dup2 onto itself would leave it close-on-exec).
            r, w = os.dup(cmd_r), os.dup(ev_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        args = [binary, "--headless", "--remote-debugging-pipe",
                "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--disable-default-apps",
                "--disable-breakpad", "--mute-audio", "--hide-scrollbars",
                "--user-data-dir=" + self.profile, "about:blank"]
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, preexec_fn=child_fds,
            close_fds=False)
        os.close(cmd_r)
        os.close(ev_w)
        self.wfd, self.rfd = cmd_w, ev_r
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None
        self.allowed = None
        self.blocked = []       # requests refused: (domain, url)
        self.log = []           # console and log errors
        self.target = None

    # -- the wire -------------------------------------------------------
    def _send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self.wfd, data)
            data = data[n:]
        return self.next_id

    def _read(self):
        while b"\0" not in self.buf:
            ready, _, _ = select.select([self.rfd], [], [], HANG_SECONDS)
            if not ready:
                raise BrowserError("chromium did not answer (hung)")
            chunk = os.read(self.rfd, 1 << 20)
            if not chunk:
                raise BrowserError("chromium closed its pipe (crashed?)")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def _event(self, msg):
        """Handle one event: refuse requests, record them; keep it."""
        method, p = msg.get("method"), msg.get("params", {})
        if method == "Fetch.requestPaused":
            url = p["request"]["url"]
            if url == self.allowed:
                self._send("Fetch.continueRequest",
                           {"requestId": p["requestId"]}, self.session)
            else:
                self.blocked.append(("fetch", url))
                self._send("Fetch.failRequest",
                           {"requestId": p["requestId"],
                            "errorReason": "BlockedByClient"}, self.session)
        elif method == "Network.requestWillBeSent":
            url = p["request"]["url"]
            if url != self.allowed:
                self.blocked.append(("network", url))
        elif method == "Log.entryAdded":
            e = p["entry"]
            if e.get("level") in ("error", "warning"):
                self.log.append("%s: %s" % (e.get("source"), e.get("text")))
        elif method == "Runtime.exceptionThrown":
            self.log.append("exception: %s" % json.dumps(p)[:300])
        self.events.append(msg)

    def call(self, method, params=None, session=True):
        """Send a command (to the page's session unless session=False)
        and return its result; raise BrowserError on an error reply."""
        mid = self._send(method, params,
                         self.session if session else None)
        while True:
            msg = self._read()
            if msg.get("id") == mid:
                if "error" in msg:
                    raise BrowserError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self._event(msg)

    def wait_event(self, method):
        """Read until event ${method} of the page arrives; return it."""
        for i, msg in enumerate(self.events):
            if msg.get("method") == method:
                return self.events.pop(i)
        while True:
            msg = self._read()
            if "method" in msg:
                self._event(msg)
                if msg["method"] == method:
                    self.events.pop()
                    return msg

    # -- a page -----------------------------------------------------------
    def open(self, path):
        """Open the file ${path} in a new page that may load nothing
        else; return once its load event fired."""
        url = "file://" + os.path.abspath(path)
        self.allowed = url
        t = self.call("Target.createTarget", {"url": "about:blank"},
                      session=False)
        self.target = t["targetId"]
        s = self.call("Target.attachToTarget",
                      {"targetId": self.target, "flatten": True},
                      session=False)
        self.session = s["sessionId"]
        self.call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]})
        self.call("Network.enable")
        self.call("Log.enable")
        self.call("Runtime.enable")
        self.call("Page.enable")
        self.call("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def close_page(self):
        if self.target:
            self.call("Target.closeTarget", {"targetId": self.target},
                      session=False)
        self.target = self.session = None
        self.events = []

    def evaluate(self, expr, await_promise=False):
        """The value of the JavaScript ${expr} in the page."""
        r = self.call("Runtime.evaluate",
                      {"expression": expr, "returnByValue": True,
                       "awaitPromise": await_promise})
        if "exceptionDetails" in r:
            raise BrowserError("evaluate: %s" %
                               json.dumps(r["exceptionDetails"])[:500])
        return r["result"].get("value")

    def screenshot(self, path, width, height, media="screen"):
        """A PNG of the page at ${width}x${height} CSS pixels in ${media}."""
        self.call("Emulation.setEmulatedMedia", {"media": media})
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height,
                   "deviceScaleFactor": 1, "mobile": False})
        r = self.call("Page.captureScreenshot", {"format": "png"})
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))
        self.call("Emulation.setEmulatedMedia", {"media": ""})

    def pdf(self, path):
        """The page printed on A4 as PDF; returns its bytes."""
        r = self.call("Page.printToPDF",
                      {"paperWidth": 8.27, "paperHeight": 11.69,
                       "printBackground": True, "preferCSSPageSize": True})
        data = base64.b64decode(r["data"])
        with open(path, "wb") as f:
            f.write(data)
        return data

    def key(self, key, code, vk, text=None):
        """Press and release one key (e.g. "Tab", "Tab", 9; "Enter",
        "Enter", 13, "\\r")."""
        down = {"type": "keyDown" if text else "rawKeyDown", "key": key,
                "code": code, "windowsVirtualKeyCode": vk}
        if text:
            down["text"] = text
        self.call("Input.dispatchKeyEvent", down)
        self.call("Input.dispatchKeyEvent",
                  {"type": "keyUp", "key": key, "code": code,
                   "windowsVirtualKeyCode": vk})

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except (BrowserError, OSError):
            pass
        try:
            self.proc.wait(timeout=HANG_SECONDS)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.wfd)
        os.close(self.rfd)
        shutil.rmtree(self.profile, ignore_errors=True)
