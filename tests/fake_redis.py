"""Redis failures that are hard to make with a real Redis, and private Redis servers.

`FakeRedis` is a TCP server in a thread on a loopback port. In "hang" mode it accepts every
connection and never answers (a Redis stuck on a long command, a paused VM whose kernel still
completes handshakes); in "proxy" mode it forwards to a real Redis: Redis is back.
`free_port()` gives a port where nothing listens (a stopped Redis: connection refused).
`private_redis()` starts a real redis-server with the given config, for what must not be tried
on the shared one (CONFIG, maxmemory).
"""

import contextlib
import shutil
import socket
import subprocess
import threading


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pump(source, target):
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)


class FakeRedis:
    def __init__(self, upstream=None, port=0, mode="hang"):
        self.upstream, self.mode = upstream, mode
        self.listener = socket.create_server(("127.0.0.1", port))
        self.port = self.listener.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.accepted = 0
        self.sockets = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:  # the listener was shut down
                return
            self.accepted += 1
            self.sockets.append(conn)
            if self.mode == "proxy":
                upstream = socket.create_connection(self.upstream)
                self.sockets.append(upstream)
                for source, target in ((conn, upstream), (upstream, conn)):
                    threading.Thread(target=_pump, args=(source, target), daemon=True).start()

    def close(self):
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() (Linux)
        self.listener.close()
        self.thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


@contextlib.contextmanager
def private_redis(tmp_path, *config):
    """A redis-server of our own on a free port: `config` are redis.conf files or --options.
    Yields its port; stopped (by its own pid) afterwards."""
    server = shutil.which("redis-server")
    port = free_port()
    args = [server, *map(str, config), "--port", str(port), "--bind", "127.0.0.1"]
    args += ["--dir", str(tmp_path), "--save", "", "--appendonly", "no", "--daemonize", "no"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        for line in process.stdout:  # wait for the event, not for a time
            if "Ready to accept connections" in line:
                break
        else:
            raise RuntimeError(f"redis-server did not start: {args}")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
