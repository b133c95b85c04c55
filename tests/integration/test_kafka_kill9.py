#!/usr/bin/python3
"""kill -9 between produce and commit: netcat (numbered lines, one OK per committed line) -> Kafka
channel -> file_roll, on the mock cluster helper (which outlives the agent). The agent is killed -9
at random moments several times and restarted; a feeder resends every line it has no OK for. At
the end every number must be in the output; duplicates are bounded: per kill, at most one line on
the put side (committed, OK not yet read) plus one sink batch on the take side (written and
fsynced, offset not yet committed). Prints the lost and duplicated counts."""
import collections
import glob
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from net_support import free_port  # noqa: E402

BUILD = os.environ.get("SLUICE_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
SLUICE = os.environ.get("SLUICE_BIN", os.path.join(BUILD, "sluice"))
N = int(os.environ.get("KAFKA_KILL9_LINES", "6000"))
RATE = 120  # lines/s, so the stream spans every kill
KILLS = int(os.environ.get("KAFKA_KILL9_ROUNDS", "5"))
SINK_BATCH = 100


class Feeder(threading.Thread):
    """Sends seq-<i> lines, pipelined; `acked` counts the OKs, which come in order on one connection.
    After a lost connection it reconnects and resends from the first line without an OK."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.acked, self.done, self.t0 = port, 0, False, time.time()

    def run(self):
        while self.acked < N:
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=1)
            except OSError:
                time.sleep(0.1)
                continue
            start = self.acked
            sender = threading.Thread(target=self.send, args=(s, start), daemon=True)
            sender.start()
            buf = b""
            try:
                s.settimeout(30)
                while self.acked < N:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    buf += chunk
                    *lines, buf = buf.split(b"\n")
                    for reply in lines:
                        if reply != b"OK":  # FAILED: resend from this line on the next connection
                            raise OSError(reply.decode(errors="replace"))
                        self.acked += 1
            except OSError:
                pass
            s.close()
        self.done = True

    def send(self, s, start):
        try:
            for i in range(start, N):
                ahead = self.t0 + i / RATE - time.time()
                if ahead > 0:
                    time.sleep(ahead)
                s.sendall(b"seq-%d\n" % i)
        except OSError:
            pass


def output_counts(out):
    seen = collections.Counter()
    for p in glob.glob(out + "/*"):
        for line in open(p, errors="replace"):
            if line.startswith("seq-"):
                seen[int(line[4:])] += 1
    return seen


def main():
    mock = subprocess.Popen([os.path.join(BUILD, "tests", "kafka_mock_cluster"), "1", "flume-channel:1"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    bootstrap = mock.stdout.readline().strip()
    work = tempfile.mkdtemp(prefix="sluice-kafka-kill9.")
    out = os.path.join(work, "out")
    os.makedirs(out)
    port = free_port()
    conf = os.path.join(work, "a.properties")
    with open(conf, "w") as f:
        f.write("a.sources = r\na.channels = k\na.sinks = s\n"
                "a.sources.r.type = netcat\na.sources.r.bind = 127.0.0.1\na.sources.r.port = %d\n"
                "a.sources.r.channels = k\n"
                "a.channels.k.type = kafka\na.channels.k.kafka.bootstrap.servers = %s\n"
                "a.channels.k.kafka.consumer.session.timeout.ms = 6000\n"
                "a.channels.k.kafka.producer.linger.ms = 1\n"
                "a.sinks.s.type = file_roll\na.sinks.s.channel = k\na.sinks.s.sink.directory = %s\n"
                "a.sinks.s.sink.rollInterval = 0\na.sinks.s.sink.batchSize = %d\n" % (port, bootstrap, out, SINK_BATCH))
    log = open(conf + ".log", "w")
    start = lambda: subprocess.Popen([SLUICE, "agent", "-n", "a", "-f", conf], stderr=log)  # noqa: E731
    feeder = Feeder(port)
    feeder.start()
    rng = random.Random(os.environ.get("KAFKA_KILL9_SEED"))
    agent = None
    try:
        for k in range(KILLS):
            agent = start()
            # Kill once the agent is busy: lines acknowledged and the sink writing (its consumer
            # has joined the group, which takes a session timeout after a kill).
            acked0, out0, t_end = feeder.acked, sum(output_counts(out).values()), time.time() + 40
            while time.time() < t_end and not feeder.done and not (feeder.acked >= min(acked0 + 200, N) and
                                               sum(output_counts(out).values()) >= out0 + SINK_BATCH):
                time.sleep(0.05)
            time.sleep(rng.uniform(0.05, 1.5))
            agent.send_signal(signal.SIGKILL)
            agent.wait()
            print("kill %d: %d lines acknowledged, %d in the output" % (k + 1, feeder.acked, sum(output_counts(out).values())),
                  flush=True)
        agent = start()
        feeder.join(timeout=180)
        seen = output_counts(out)
        for _ in range(1200):  # drain
            if all(seen[i] for i in range(N)):
                break
            time.sleep(0.1)
            seen = output_counts(out)
        time.sleep(2)  # anything still coming would be a duplicate: let it land
        seen = output_counts(out)
    finally:
        if agent and agent.poll() is None:
            agent.send_signal(signal.SIGTERM)
            agent.wait(timeout=30)
        mock.stdin.close()
        mock.wait(timeout=10)
    lost = [i for i in range(N) if seen[i] == 0]
    dups = sum(c - 1 for c in seen.values() if c > 1)
    bound = KILLS * (1 + SINK_BATCH)
    print("kafka kill -9: %d lines, %d kills: lost %d, duplicated %d (bound %d)" % (N, KILLS, len(lost), dups, bound))
    if not feeder.done:
        print("FAIL: the feeder did not get an OK for every line (%d of %d)" % (feeder.acked, N))
        return 1
    if lost:
        print("FAIL: lost lines, first: %s (log %s)" % (lost[:10], conf + ".log"))
        return 1
    if dups > bound:
        print("FAIL: %d duplicates, more than one batch per kill" % dups)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
