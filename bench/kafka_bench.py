#!/usr/bin/python3
"""Kafka channel bench on the mock cluster helper (tests/peers/kafka_mock_cluster): the agent
(seq, 300-byte bodies -> kafka channel -> null) and kcat producing the same corpus from a file
(kcat -P) then consuming it (kcat -C -e), in one run against one mock cluster.
sluice: events/s from agent start until the null sink drained every event (metrics endpoint), so the
consumer group join is included; also the steady rate between 10 % and 90 % drained. CPU = user+sys
of the agent process (/proc). kcat: wall time and CPU (rusage of the child) of each half; its
"through" rate is N / (produce + consume time), the same work done serially.

The mock cluster keeps only the newest 5 MiB of each partition (librdkafka's mock log limit) and
stalls fetches beyond it, so the topics have enough partitions that each holds less than that:
events x body / partitions < 5 MiB (the defaults: 200 k x 300 B over 32 partitions, ~2 MB each on average; the sticky partitioner fills them unevenly).

usage: kafka_bench.py [--events N] [--body-size 300] [--partitions 16] [--out FILE]
"""
import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from harness import sink_drained as drained, free_port, proc_cpu, proc_hwm_kb  # noqa: E402

BUILD = os.path.join(ROOT, "build")
SLUICE = os.path.join(BUILD, "sluice")
KCAT = "/usr/bin/kcat"


def run_sluice(bootstrap, topic, n, body, flume_format, work):
    mport = free_port()
    conf = os.path.join(work, topic + ".properties")
    with open(conf, "w") as f:
        f.write("a.sources = r\na.channels = c\na.sinks = k\n"
                "a.sources.r.type = seq\na.sources.r.totalEvents = %d\na.sources.r.batchSize = 1000\n"
                "a.sources.r.bodySize = %d\na.sources.r.channels = c\n"
                "a.channels.c.type = kafka\na.channels.c.kafka.bootstrap.servers = %s\na.channels.c.kafka.topic = %s\n"
                "a.channels.c.parseAsFlumeEvent = %s\na.channels.c.kafka.consumer.group.id = bench-%s\n"
                "a.sinks.k.type = null\na.sinks.k.channel = c\na.sinks.k.batchSize = 1000\n"
                % (n, body, bootstrap, topic, "true" if flume_format else "false", topic))
    log = open(conf + ".log", "w")
    t0 = time.monotonic()
    agent = subprocess.Popen([SLUICE, "agent", "-n", "a", "-f", conf, "--metrics-port", str(mport)], stderr=log)
    t10 = t90 = None
    done = 0
    try:
        while time.monotonic() - t0 < 900 and agent.poll() is None:
            done = drained(mport)
            now = time.monotonic()
            if t10 is None and done >= n * 0.1:
                t10 = now
            if t90 is None and done >= n * 0.9:
                t90 = now
            if done >= n:
                break
            time.sleep(0.05)
        elapsed = time.monotonic() - t0
        cpu = proc_cpu(agent.pid)
        rss = proc_hwm_kb(agent.pid) / 1024.0
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=60)
    return {"name": "sluice seq → kafka channel (parseAsFlumeEvent=%s) → null" % ("true" if flume_format else "false"),
            "events": done, "ok": done == n, "seconds": elapsed, "rate": done / elapsed,
            "steady": (0.8 * n / (t90 - t10)) if t10 and t90 and t90 > t10 else None,
            "cpu": cpu, "rss": rss}


def timed(cmd, **kw):
    """Runs cmd; returns (wall seconds, user+sys CPU seconds of the child, stdout bytes)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, **kw)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        raise RuntimeError("%s exited %d" % (cmd[0], p.returncode))
    return wall, ru.ru_utime + ru.ru_stime


def run_kcat(bootstrap, topic, n, corpus, work):
    pw, pc = timed([KCAT, "-P", "-b", bootstrap, "-t", topic, "-l", corpus], stderr=subprocess.DEVNULL)
    out = os.path.join(work, topic + ".out")
    with open(out, "wb") as f:
        cw, cc = timed([KCAT, "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-D", "\n"],
                       stdout=f, stderr=subprocess.DEVNULL)
    got = sum(1 for _ in open(out, "rb"))
    os.remove(out)
    return {"name": "kcat -P from the file, then kcat -C -e", "events": got, "ok": got == n, "seconds": pw + cw,
            "rate": got / (pw + cw), "produce_rate": n / pw, "consume_rate": got / cw, "cpu": pc + cc,
            "steady": None, "rss": None}


def table(rows, n):
    out = ["| what | events | seconds | events/s | steady events/s (10→90 %) | CPU s / M events | peak RSS MB | check |",
           "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        extra = ""
        if "produce_rate" in r:
            extra = " (produce %.0f/s, consume %.0f/s)" % (r["produce_rate"], r["consume_rate"])
        out.append("| %s%s | %d | %.2f | %.0f | %s | %.2f | %s | %s |" % (
            r["name"], extra, r["events"], r["seconds"], r["rate"], "%.0f" % r["steady"] if r["steady"] else "-",
            r["cpu"] / (n / 1e6), "%.0f" % r["rss"] if r["rss"] else "-", "ok" if r["ok"] else "FAILED (%d of %d)" % (r["events"], n)))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--partitions", type=int, default=32)
    ap.add_argument("--body-size", type=int, default=300)
    ap.add_argument("--out", default=None, help="also write the markdown here")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="sluice-kafka-bench.")
    corpus = os.path.join(work, "corpus.txt")
    with open(corpus, "w") as f:  # the bodies the seq source generates
        for i in range(a.events):
            f.write("%0*d\n" % (a.body_size, i))
    if a.events * (a.body_size + 20) / a.partitions >= 5 * 1024 * 1024:
        sys.exit("too many events per partition for the mock cluster's 5 MiB log: raise --partitions")
    topics = ["%s:%d" % (t, a.partitions) for t in ("b-flume", "b-raw", "b-kcat")]
    mock = subprocess.Popen([os.path.join(BUILD, "tests", "kafka_mock_cluster"), "1"] + topics,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    bootstrap = mock.stdout.readline().strip()
    load0 = os.getloadavg()
    try:
        rows = [run_sluice(bootstrap, "b-flume", a.events, a.body_size, True, work),
                run_sluice(bootstrap, "b-raw", a.events, a.body_size, False, work),
                run_kcat(bootstrap, "b-kcat", a.events, corpus, work)]
    finally:
        mock.stdin.close()
        mock.wait(timeout=30)
    load1 = os.getloadavg()
    text = table(rows, a.events)
    kcat = rows[-1]["rate"]
    verdict = "\n".join("- %s: %.0f events/s = %.0f %% of kcat's through rate; ≥ 300 k events/s: %s; ≥ 80 %% of kcat: %s"
                        % (r["name"], r["rate"], 100 * r["rate"] / kcat, "met" if r["rate"] >= 300e3 else "not met",
                           "met" if r["rate"] >= 0.8 * kcat else "not met") for r in rows[:-1])
    head = ("Command: `/usr/bin/python3 bench/kafka_bench.py %s` (%s). %d events of %d bytes, one mock cluster "
            "(1 broker, %d partitions per topic) for all rows. Machine: %s, %d cores. Load average (1 min) %.2f before, %.2f after.\n"
            % (" ".join(sys.argv[1:]), time.strftime("%Y-%m-%d %H:%M"), a.events, a.body_size, a.partitions, platform.machine(),
               os.cpu_count(), load0[0], load1[0]))
    report = head + "\n" + text + "\n\n" + verdict + "\n"
    print(report)
    if a.out:
        with open(a.out, "w") as f:
            f.write(report)
    os.unlink(corpus)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
