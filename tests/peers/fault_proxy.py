#!/usr/bin/python3
"""A fault-injecting HTTP reverse proxy for outage tests: forwards every request to UPSTREAM
(host:port), except while the schedule says otherwise.

usage: fault_proxy.py UPSTREAM SCHEDULE STATS_FILE
  SCHEDULE: comma-separated phases, each MODE:SECONDS, the last one may omit SECONDS (lasts forever):
    pass        forward as is
    error       answer 500 and 503 in turn (S3-style XML error body), nothing reaches UPSTREAM
    slow=D      forward, then hold the answer D seconds before sending it
  The schedule starts when the proxy receives SIGUSR1 (before that: pass), so a test can let its
  pipeline start cleanly and then begin the outage at a moment it chooses.
Prints its port on stdout once listening. STATS_FILE is rewritten after every request with a JSON
object: requests answered per mode, the phase now in force, and seconds since the schedule started."""
import http.client
import http.server
import json
import os
import signal
import socketserver
import sys
import threading
import time

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


def parse_schedule(text):
    phases = []
    for item in text.split(","):
        mode, _, secs = item.partition(":")
        delay = 0.0
        if mode.startswith("slow="):
            mode, delay = "slow", float(mode[5:])
        if mode not in ("pass", "error", "slow"):
            raise SystemExit("unknown phase %r" % item)
        phases.append((mode, delay, float(secs) if secs else None))
    return phases


class Schedule:
    def __init__(self, phases):
        self.phases = phases
        self.started = None
        self.lock = threading.Lock()
        self.counts = {"pass": 0, "error": 0, "slow": 0}

    def start(self, *_):
        if self.started is None:
            self.started = time.monotonic()

    def now(self):
        """(mode, delay, phase index) in force now; index -1 before the schedule starts."""
        if self.started is None:
            return "pass", 0.0, -1
        t = time.monotonic() - self.started
        for i, (mode, delay, secs) in enumerate(self.phases):
            if secs is None or t < secs:
                return mode, delay, i
            t -= secs
        return "pass", 0.0, len(self.phases)

    def count(self, mode, stats_file):
        with self.lock:
            self.counts[mode] += 1
            _, _, idx = self.now()
            elapsed = time.monotonic() - self.started if self.started is not None else None
            with open(stats_file + ".tmp", "w") as f:
                json.dump({"requests": self.counts, "phase": idx, "elapsed": elapsed}, f)
            os.replace(stats_file + ".tmp", stats_file)


def make_handler(upstream, schedule, stats_file):
    host, port = upstream.rsplit(":", 1)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            mode, delay, _ = schedule.now()
            if mode == "error":
                self.error_answer()
            else:
                self.forward(body, delay if mode == "slow" else 0.0)
            schedule.count(mode, stats_file)

        def error_answer(self):
            status = 503 if schedule.counts["error"] % 2 else 500
            code = "ServiceUnavailable" if status == 503 else "InternalError"
            doc = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>injected by "
                   "fault_proxy</Message><RequestId>fault</RequestId></Error>" % code).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(doc)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(doc)

        def forward(self, body, delay):
            conn = http.client.HTTPConnection(host, int(port), timeout=60)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for k, v in headers.items():
                    conn.putheader(k, v)
                if body or self.command in ("PUT", "POST"):
                    if "content-length" not in {k.lower() for k in headers}:
                        conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body if body else None)
                res = conn.getresponse()
                data = res.read()
                if delay:
                    time.sleep(delay)
                self.send_response(res.status, res.reason)
                head = self.command == "HEAD"  # its Content-Length is the object's, not this body's
                for k, v in res.getheaders():
                    if k.lower() not in HOP_BY_HOP and (head or k.lower() != "content-length"):
                        self.send_header(k, v)
                if not head:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
            finally:
                conn.close()

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any

    return Handler


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that timed out and hung up while an answer was held: expected here


def main(argv):
    upstream, schedule_text, stats_file = argv[1], argv[2], argv[3]
    schedule = Schedule(parse_schedule(schedule_text))
    signal.signal(signal.SIGUSR1, schedule.start)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = Server(("127.0.0.1", 0), make_handler(upstream, schedule, stats_file))
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv)
