"""proxy.py: the links of a chaos lab, a userspace TCP proxy on loopback.

Every node's membership endpoint names a proxy port, which forwards to
the port the node really listens on.  The proxy knows which node opened
each connection (the connecting socket's owner, from /proc), so each link
(an unordered pair of nodes) has a state of its own:

  ok      bytes pass at once
  delay   each chunk is held DELAY ms after it arrived, then passed on
  hold    nothing passes (a black hole: connections stay open, bytes
          wait; a peer's heartbeat may give up on them), until healed
  cut     connections are closed and new ones refused

Standard library only; one thread per connection direction and one per
listener, all daemons, so the harness never waits on them.
"""

import collections
import os
import socket
import threading
import time

OK, DELAY, HOLD, CUT = "ok", "delay", "hold", "cut"


def _hexaddr(port):
    """127.0.0.1:PORT as /proc/net/tcp writes it (little-endian address)."""
    return "0100007F:%04X" % port


def socket_owner(port, to_port, pids):
    """The name of the process in ${pids} ({name: pid}) that holds the
    socket 127.0.0.1:${port} connected to 127.0.0.1:${to_port}, or None."""
    inode = None
    try:
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[1] == _hexaddr(port) and \
                        fields[2] == _hexaddr(to_port):
                    inode = fields[9]
                    break
    except OSError:
        return None
    if inode is None or inode == "0":
        return None
    want = "socket:[%s]" % inode
    for name, pid in pids.items():
        try:
            fds = os.listdir("/proc/%d/fd" % pid)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == want:
                    return name
            except OSError:
                pass
    return None


class _Conn:
    """One proxied connection from node ${src} to node ${dst}."""

    def __init__(self, links, src, dst, client, server):
        self.links, self.src, self.dst = links, src, dst
        self.socks = (client, server)
        self.closed = False
        self.lock = threading.Lock()
        for a, b in ((client, server), (server, client)):
            q = collections.deque()
            ready = threading.Condition()
            threading.Thread(target=self._read, args=(a, q, ready),
                             daemon=True).start()
            threading.Thread(target=self._write, args=(b, q, ready),
                             daemon=True).start()

    def close(self):
        with self.lock:
            if self.closed:
                return
            self.closed = True
        for s in self.socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self.links.forget(self)

    def _read(self, s, q, ready):
        while not self.closed:
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            with ready:
                q.append((time.monotonic(), data))
                ready.notify()
            if not data:
                return

    def _write(self, s, q, ready):
        while not self.closed:
            with ready:
                while not q and not self.closed:
                    ready.wait(0.2)
                if self.closed:
                    return
                at, data = q[0]
            state, ms = self.links.state(self.src, self.dst)
            if state == CUT:
                self.close()
                return
            if state == HOLD:
                time.sleep(0.05)
                continue
            if state == DELAY and time.monotonic() < at + ms / 1000.0:
                time.sleep(min(0.05, at + ms / 1000.0 - time.monotonic()))
                continue
            with ready:
                q.popleft()
            if not data:
                self.close()
                return
            try:
                s.sendall(data)
            except OSError:
                self.close()
                return


class Links:
    """The proxies of a lab and the state of each link between its nodes.

    ${pids} is a function returning {node name: daemon pid} of the nodes
    running now (read again whenever a connection's owner is unknown).
    """

    def __init__(self, pids):
        self.pids = pids
        self.lock = threading.Lock()
        self.links = {}
        self.conns = set()
        self.listeners = []
        self.unknown = 0     # connections whose owner was not found

    @staticmethod
    def _key(a, b):
        return (a, b) if a < b else (b, a)

    def state(self, a, b):
        """The state of link ${a}-${b}: (OK|DELAY|HOLD|CUT, delay ms)."""
        if a is None or b is None:
            return (OK, 0)
        with self.lock:
            return self.links.get(self._key(a, b), (OK, 0))

    def set(self, a, b, state, ms=0):
        """Put link ${a}-${b} in ${state}; CUT closes its connections."""
        with self.lock:
            self.links[self._key(a, b)] = (state, ms)
            doomed = [c for c in self.conns if state == CUT and
                      self._key(c.src or "", c.dst) == self._key(a, b)]
        for c in doomed:
            c.close()

    def heal(self):
        """Every link back to OK."""
        with self.lock:
            self.links.clear()

    def forget(self, conn):
        with self.lock:
            self.conns.discard(conn)

    def listen(self, name, port, real_port):
        """Proxy 127.0.0.1:${port} to node ${name} at 127.0.0.1:${real_port}."""
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", port))
        ls.listen(64)
        self.listeners.append(ls)
        threading.Thread(target=self._accept, args=(ls, name, port, real_port),
                         daemon=True).start()

    def _owner(self, peer_port, port):
        for _ in range(10):
            src = socket_owner(peer_port, port, self.pids())
            if src is not None:
                return src
            time.sleep(0.02)
        return None

    def _accept(self, ls, dst, port, real_port):
        while True:
            try:
                client, peer = ls.accept()
            except OSError:
                return
            src = self._owner(peer[1], port)
            if src is None:
                self.unknown += 1
            if self.state(src, dst)[0] == CUT:
                client.close()
                continue
            server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                server.connect(("127.0.0.1", real_port))
            except OSError:
                client.close()
                server.close()
                continue
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                conn = _Conn(self, src, dst, client, server)
                self.conns.add(conn)

    def close(self):
        for ls in self.listeners:
            ls.close()
        with self.lock:
            conns = list(self.conns)
        for c in conns:
            c.close()
