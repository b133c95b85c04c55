#!/usr/bin/python3
"""Kafka channel bench: sluice (seq, 300-byte bodies -> kafka channel -> null) against kcat producing
and consuming the same corpus through the same kind of topic, in one run. Each row gets a fresh
librdkafka mock cluster (tests/peers/kafka_mock_cluster, 1 broker) with the same partition count.

Both sides are measured the same way, as "produce and consume through", with the clock started
only once the consumer group has joined and records flow:
- sluice: the agent starts with a warm-up seq source of --warmup events; when the null sink has
  drained them (so the channel's consumer is assigned), a second seq source of --events events is
  added by SIGHUP reload (the channel and the sink keep running; README "Reload"). The clock runs
  from the SIGHUP until the sink has drained warm-up + events; the reload itself is inside the clock.
- kcat: `kcat -C -G` (a group consumer, like the channel's) runs first; --warmup records are produced
  with `kcat -P` and the clock starts once the consumer has written them; then `kcat -P` produces
  the corpus (idempotent producer, acks=all as the channel) while the consumer keeps consuming; the
  clock stops when the consumer has written every record.
Checks: the sink drained exactly warm-up + events (no loss, no duplicate) for sluice; for kcat,
every corpus line was consumed exactly once (a row that fails its check is FAILED and is not used
as the denominator).
The mock keeps only the newest 5 MiB (or 100 000 message sets) of each partition: hard-coded in
librdkafka's rdkafka_mock.c (rd_kafka_mock_partition_init), with no API to raise it (2.0.2). A
consumer lagging more than that on one partition gets "offset out of range" and skips what was
deleted: the checks catch it. Both producers outrun their consumers, so the log must hold the lag:
many partitions (--partitions 512) and a short sticky partitioner period for both producers
(--producer sticky.partitioning.linger.ms=1; the default 10 ms puts megabytes on one partition at a
time, and 0 = a random partition per record makes a put of 1000 records one tiny ProduceRequest per
partition, which measures request overhead). Rows that fail their check are FAILED, not averaged.
CPU: user+sys from /proc over the timed window: the agent; kcat's consumer + producer (the producer's
whole life, from rusage); the mock cluster separately (shared infrastructure). Peak RSS: VmHWM.

usage: kafka_bench.py [--events N] [--warmup N] [--body-size 300] [--partitions 64] [--repeat 1]
                      [--producer PROP=VALUE ...] [--consumer PROP=VALUE ...] [--rows flume,raw,kcat]
                      [--out FILE]
(make bench-kafka: --events 1000000 --partitions 512 --producer sticky.partitioning.linger.ms=1 --repeat 3)
"""
import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from harness import free_port, proc_cpu, proc_hwm_kb  # noqa: E402

BUILD = os.path.join(ROOT, "build")
SLUICE = os.path.join(BUILD, "sluice")
MOCK = os.path.join(BUILD, "tests", "kafka_mock_cluster")
KCAT = "/usr/bin/kcat"
TIMEOUT = int(os.environ.get("KB_TIMEOUT", "600"))
STALL = 30  # seconds without progress: give up on the row
# kcat's stdout to a file is block-buffered (stdio, 4 KiB): up to this many bytes are not in the file
# until kcat exits; the clock stops when all but these have arrived (~13 records, well under 1 ms).
STDIO_SLACK = 8192


class Mock:
    """One mock cluster with one topic; stops when its stdin closes."""

    def __init__(self, topic, partitions):
        self.p = subprocess.Popen([MOCK, "1", "%s:%d" % (topic, partitions)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        self.bootstrap = self.p.stdout.readline().strip()

    def cpu(self):
        return proc_cpu(self.p.pid)

    def rss(self):
        return proc_hwm_kb(self.p.pid) / 1024.0

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)


def metrics(mport):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % mport, timeout=5) as r:
            return json.load(r)
    except (OSError, ValueError):
        return {}


def counter(m, key, name):
    try:
        return int(m[key][name])
    except (KeyError, ValueError):
        return 0


def agent_conf(bootstrap, topic, warmup, n, body, flume_format, with_run, props):
    sources = "w r" if with_run else "w"
    text = ("a.sources = %s\na.channels = c\na.sinks = k\n"
            "a.channels.c.type = kafka\na.channels.c.kafka.bootstrap.servers = %s\na.channels.c.kafka.topic = %s\n"
            "a.channels.c.parseAsFlumeEvent = %s\na.channels.c.kafka.consumer.group.id = bench-%s\n"
            "a.sinks.k.type = null\na.sinks.k.channel = c\na.sinks.k.batchSize = 1000\n"
            % (sources, bootstrap, topic, "true" if flume_format else "false", topic))
    text += "".join("a.channels.c.kafka.%s.%s = %s\n" % (side, k, v) for side, k, v in props)
    for name, total in (("w", warmup), ("r", n)):
        text += ("a.sources.%s.type = seq\na.sources.%s.totalEvents = %d\na.sources.%s.batchSize = 1000\n"
                 "a.sources.%s.bodySize = %d\na.sources.%s.channels = c\n" % (name, name, total, name, name, body, name))
    return text


def run_sluice(topic, partitions, n, warmup, body, flume_format, work, props):
    mock = Mock(topic, partitions)
    mport = free_port()
    conf = os.path.join(work, topic + ".properties")
    with open(conf, "w") as f:
        f.write(agent_conf(mock.bootstrap, topic, warmup, n, body, flume_format, False, props))
    log = open(conf + ".log", "w")
    agent = subprocess.Popen([SLUICE, "agent", "-n", "a", "-f", conf, "--metrics-port", str(mport),
                              "--no-reload-conf"], stderr=log)
    row = {"name": "sluice: seq → kafka channel (parseAsFlumeEvent=%s) → null" % ("true" if flume_format else "false"),
           "events": 0, "ok": False, "seconds": None, "produced_at": None}
    try:
        t = time.monotonic()
        while counter(metrics(mport), "SINK.k", "EventDrainSuccessCount") < warmup:
            if agent.poll() is not None or time.monotonic() - t > 120:
                row["why"] = "warm-up did not drain"
                return row
            time.sleep(0.05)
        row["join_s"] = time.monotonic() - t
        with open(conf, "w") as f:
            f.write(agent_conf(mock.bootstrap, topic, warmup, n, body, flume_format, True, props))
        cpu0, mcpu0 = proc_cpu(agent.pid), mock.cpu()
        t0 = time.monotonic()
        agent.send_signal(signal.SIGHUP)
        done, last, last_t = 0, -1, t0
        while time.monotonic() - t0 < TIMEOUT and agent.poll() is None:
            m = metrics(mport)
            done = counter(m, "SINK.k", "EventDrainSuccessCount") - warmup
            now = time.monotonic()
            if done != last:
                last, last_t = done, now
            elif now - last_t > STALL:
                break
            if row["produced_at"] is None and counter(m, "CHANNEL.c", "EventPutSuccessCount") >= warmup + n:
                row["produced_at"] = now - t0
            if done >= n:
                break
            time.sleep(0.02)
        row["seconds"] = time.monotonic() - t0
        row["cpu"] = proc_cpu(agent.pid) - cpu0
        row["mock_cpu"] = mock.cpu() - mcpu0
        time.sleep(1)  # anything drained after this is a duplicate
        done = counter(metrics(mport), "SINK.k", "EventDrainSuccessCount") - warmup
        row["rss"] = proc_hwm_kb(agent.pid) / 1024.0
        row["mock_rss"] = mock.rss()
        row["events"] = done
        row["ok"] = done == n
        if not row["ok"]:
            row["why"] = "sink drained %d of %d" % (done, n)
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=60)
        mock.close()
    return row


def write_lines(path, count, body, prefix=""):
    with open(path, "w") as f:
        for i in range(count):
            f.write("%s%0*d\n" % (prefix, body - len(prefix), i))


def check_kcat_output(path, n, warmup):
    """(corpus records consumed exactly once, why-not or "")."""
    seen = bytearray(n)
    warm = dup = other = 0
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"w"):
                warm += 1
                continue
            try:
                i = int(line)
            except ValueError:
                other += 1
                continue
            if 0 <= i < n:
                if seen[i]:
                    dup += 1
                seen[i] = 1
            else:
                other += 1
    got = sum(seen)
    why = []
    if got != n:
        why.append("%d of %d consumed" % (got, n))
    if dup:
        why.append("%d duplicates" % dup)
    if other or warm != warmup:
        why.append("%d unexpected lines, %d of %d warm-up" % (other, warm, warmup))
    return got, "; ".join(why)


def run_kcat(topic, partitions, n, warmup, body, corpus, work, props):
    mock = Mock(topic, partitions)
    out = os.path.join(work, topic + ".out")
    err = open(os.path.join(work, topic + ".consumer.log"), "w")
    warm = os.path.join(work, "warmup.txt")
    write_lines(warm, warmup, body, "w")
    line = body + 1
    produce = [KCAT, "-P", "-b", mock.bootstrap, "-t", topic, "-X", "enable.idempotence=true", "-X", "acks=all"]
    consume = [KCAT, "-C", "-b", mock.bootstrap, "-G", "bench-" + topic, "-X", "auto.offset.reset=earliest",
               "-X", "enable.partition.eof=false"]
    for side, k, v in props:
        (produce if side == "producer" else consume).extend(["-X", "%s=%s" % (k, v)])
    cons = subprocess.Popen(consume + [topic], stdout=open(out, "wb"), stderr=err)
    row = {"name": "kcat -C -G (group consumer) while kcat -P produces the corpus file",
           "events": 0, "ok": False, "seconds": None, "produced_at": None}
    try:
        t = time.monotonic()
        while "assigned:" not in open(err.name).read():  # kcat -G starts at the end: produce after the join
            if cons.poll() is not None or time.monotonic() - t > 120:
                row["why"] = "consumer not assigned"
                return row
            time.sleep(0.02)
        subprocess.run(produce + ["-l", warm], check=True, stderr=subprocess.DEVNULL)
        while os.path.getsize(out) < warmup * line - STDIO_SLACK:
            if cons.poll() is not None or time.monotonic() - t > 120:
                row["why"] = "warm-up not consumed"
                return row
            time.sleep(0.02)
        row["join_s"] = time.monotonic() - t
        ccpu0, mcpu0 = proc_cpu(cons.pid), mock.cpu()
        t0 = time.monotonic()
        prod = subprocess.Popen(produce + ["-l", corpus], stderr=subprocess.DEVNULL)
        pstatus = pru = None
        last, last_t = -1, t0
        while time.monotonic() - t0 < TIMEOUT and cons.poll() is None:
            size = os.path.getsize(out)
            if size != last:
                last, last_t = size, time.monotonic()
            elif time.monotonic() - last_t > STALL:
                break  # records lost to the mock's log limit never come: the check below says so
            if pstatus is None:
                pid, status, ru = os.wait4(prod.pid, os.WNOHANG)
                if pid:
                    pstatus, pru = status, ru
                    row["produced_at"] = time.monotonic() - t0
            if size >= (warmup + n) * line - STDIO_SLACK:
                break
            time.sleep(0.02)
        row["seconds"] = time.monotonic() - t0
        ccpu = proc_cpu(cons.pid) - ccpu0
        row["mock_cpu"] = mock.cpu() - mcpu0
        if pstatus is None:
            _, pstatus, pru = os.wait4(prod.pid, 0)
        prod.returncode = os.waitstatus_to_exitcode(pstatus)
        row["cpu"] = ccpu + pru.ru_utime + pru.ru_stime
        row["rss"] = proc_hwm_kb(cons.pid) / 1024.0 + pru.ru_maxrss / 1024.0
        row["mock_rss"] = mock.rss()
        time.sleep(1)  # anything consumed after this is a duplicate
        cons.send_signal(signal.SIGTERM)  # kcat writes its last stdio buffer as it exits
        cons.wait(timeout=30)
        got, why = check_kcat_output(out, n, warmup)
        row["events"] = got
        if prod.returncode:
            why = ("kcat -P exited %d; " % prod.returncode) + why
        row["ok"] = not why
        if why:
            row["why"] = why
    finally:
        if cons.poll() is None:
            cons.send_signal(signal.SIGTERM)
            cons.wait(timeout=30)
        mock.close()
        if os.path.exists(out) and not os.environ.get("KB_KEEP"):
            os.remove(out)
    return row


def fmt(v, f="%.2f"):
    return f % v if v is not None else "-"


def table(rows, n):
    out = ["| run | what | events | seconds | events/s | producer done at s | CPU s / M events | mock CPU s / M events | "
           "peak RSS MB (mock) | check |",
           "|---:|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in rows:
        rate = r["events"] / r["seconds"] if r["seconds"] else None
        out.append("| %d | %s | %d | %s | %s | %s | %s | %s | %s (%s) | %s |" % (
            r["run"], r["name"], r["events"], fmt(r["seconds"]), fmt(rate, "%.0f"), fmt(r["produced_at"]),
            fmt(r.get("cpu") and r["cpu"] / (n / 1e6)), fmt(r.get("mock_cpu") and r["mock_cpu"] / (n / 1e6)),
            fmt(r.get("rss"), "%.0f"), fmt(r.get("mock_rss"), "%.0f"),
            "ok" if r["ok"] else "FAILED (%s)" % r.get("why", "")))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--warmup", type=int, default=10_000)
    ap.add_argument("--partitions", type=int, default=64)
    ap.add_argument("--body-size", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=1, help="runs of every row, interleaved; the verdict uses medians")
    ap.add_argument("--rows", default="flume,raw,kcat", help="any of flume, raw, kcat")
    ap.add_argument("--producer", action="append", default=[], metavar="PROP=VALUE",
                    help="librdkafka producer property for both sides (channel kafka.producer.*, kcat -X)")
    ap.add_argument("--consumer", action="append", default=[], metavar="PROP=VALUE",
                    help="librdkafka consumer property for both sides (channel kafka.consumer.*, kcat -C -X)")
    ap.add_argument("--out", default=None, help="also write the markdown here")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="sluice-kafka-bench.")
    corpus = os.path.join(work, "corpus.txt")
    write_lines(corpus, a.events, a.body_size)  # the bodies the seq source generates
    wanted = a.rows.split(",")
    props = [("producer",) + tuple(p.split("=", 1)) for p in a.producer]
    props += [("consumer",) + tuple(p.split("=", 1)) for p in a.consumer]
    load0 = os.getloadavg()
    rows = []
    for run in range(1, a.repeat + 1):
        for what in wanted:
            if what in ("flume", "raw"):
                r = run_sluice("b-" + what, a.partitions, a.events, a.warmup, a.body_size, what == "flume", work, props)
            else:
                r = run_kcat("b-kcat", a.partitions, a.events, a.warmup, a.body_size, corpus, work, props)
            r["run"], r["kind"] = run, what
            rows.append(r)
            print(table([r], a.events).splitlines()[-1], file=sys.stderr)
    load1 = os.getloadavg()
    os.unlink(corpus)

    def median_rate(kind):
        rates = [r["events"] / r["seconds"] for r in rows if r["kind"] == kind and r["ok"]]
        return (statistics.median(rates), len(rates)) if rates else (None, 0)

    kcat, kcat_ok = median_rate("kcat") if "kcat" in wanted else (None, 0)
    verdict = []
    if "kcat" in wanted:
        verdict.append("- kcat: median %s events/s over %d valid run(s) of %d" % (fmt(kcat, "%.0f"), kcat_ok, a.repeat))
    for kind in ("flume", "raw"):
        if kind not in wanted:
            continue
        rate, ok = median_rate(kind)
        name = next(r["name"] for r in rows if r["kind"] == kind)
        if rate is None:
            verdict.append("- %s: no valid run" % name)
            continue
        vs = ("%.0f %% of kcat; ≥ 80 %% of kcat: %s" % (100 * rate / kcat, "met" if rate >= 0.8 * kcat else "NOT met")
              if kcat else "no valid kcat run to compare with")
        verdict.append("- %s: median %.0f events/s over %d valid run(s); ≥ 300 k events/s: %s; %s"
                       % (name, rate, ok, "met" if rate >= 300e3 else "NOT met", vs))
    head = ("Command: `/usr/bin/python3 bench/kafka_bench.py %s` (%s). %d events of %d bytes after a warm-up of %d; "
            "a fresh mock cluster per row (1 broker, %d partitions). Machine: %s, %d cores. "
            "Load average (1 min) %.2f before, %.2f after.\n"
            % (" ".join(sys.argv[1:]), time.strftime("%Y-%m-%d %H:%M"), a.events, a.body_size, a.warmup, a.partitions,
               platform.machine(), os.cpu_count(), load0[0], load1[0]))
    report = head + "\n" + table(rows, a.events) + "\n\n" + "\n".join(verdict) + "\n"
    print(report)
    if a.out:
        with open(a.out, "w") as f:
            f.write(report)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
