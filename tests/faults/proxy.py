"""A TCP proxy on 127.0.0.1 that can stall its connections, the way a dead NAT or link does.

`stall()` makes every open connection silently swallow bytes in both directions while the
sockets stay open (a half-open link: no FIN, no RST). New connections pass normally, so a
client that gives up and reconnects gets through. `cut()` closes every open connection.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading

from tests.servers import free_port

POLL = 0.05


class _Link:
    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self.stalled = False
        self.closed = False

    def close(self) -> None:
        self.closed = True
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.close()


class StallingProxy:
    """Forwards 127.0.0.1:<port> to an upstream address until stopped."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self._upstream = (upstream_host, upstream_port)
        self._links: list[_Link] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server((self.host, self.port))
        self._listener.settimeout(POLL)
        self._running = True
        self.accepted = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while self._running:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self._upstream, timeout=5)
            except OSError:
                client.close()
                continue
            link = _Link(client, upstream)
            with self._lock:
                self._links.append(link)
                self.accepted += 1
            threading.Thread(target=self._pump, args=(link,), daemon=True).start()

    def _pump(self, link: _Link) -> None:
        pairs = {link.client: link.upstream, link.upstream: link.client}
        while self._running and not link.closed:
            try:
                readable, _, _ = select.select(list(pairs), [], [], POLL)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        link.close()
                        return
                    if not link.stalled:
                        pairs[sock].sendall(data)
            except (OSError, ValueError):
                link.close()
                return

    @property
    def open_links(self) -> int:
        with self._lock:
            return sum(1 for link in self._links if not link.closed)

    def stall(self) -> None:
        """Swallow all traffic of the connections open now; keep their sockets open."""
        with self._lock:
            for link in self._links:
                link.stalled = True

    def cut(self) -> None:
        """Close every open connection at once."""
        with self._lock:
            for link in self._links:
                link.close()

    def stop(self) -> None:
        self._running = False
        self._listener.close()
        self.cut()
        self._thread.join(timeout=2)
