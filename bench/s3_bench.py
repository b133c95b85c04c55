#!/usr/bin/python3
"""S3 backend bench: the same agent (TAILDIR over a pre-written Squid corpus -> memory -> roller,
gzip) writing to the local filesystem and to S3 (s3rver on loopback, multipart), one after the
other in one run. For each: events/s and MB/s (input bytes) from start until the agent has stopped
gracefully (so S3 objects are complete), agent CPU-seconds per million events (rusage), peak RSS,
and an output check (decompressed line count of what landed equals the input).

usage: s3_bench.py [--events N] [--part-size BYTES] [--out FILE]
"""
import argparse
import gzip
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import sink_drained as drained, report, free_port, proc_hwm_kb, wait_port  # noqa: E402
from s3_test_support import S3rver, BUCKET  # noqa: E402

SLUICE = os.path.join(ROOT, "build", "sluice")


def run(backend, corpus, n, work, srv, part_size):
    mport = free_port()
    out = os.path.join(work, "out-" + backend)
    sink = {"local": "b.sinks.k.type = hdfs\nb.sinks.k.hdfs.path = %s/%%Y%%m%%d\n" % out,
            "s3": ("b.sinks.k.type = s3\nb.sinks.k.path = s3://%s/bench/%%Y%%m%%d\nb.sinks.k.endpoint = %s\n"
                   "b.sinks.k.pathStyleAccess = true\nb.sinks.k.stagingDir = %s\nb.sinks.k.partSize = %d\n"
                   % (BUCKET, srv.endpoint if srv else "", os.path.join(work, "staging"), part_size))}[backend]
    p = "" if backend == "s3" else "hdfs."
    conf = os.path.join(work, backend + ".properties")
    with open(conf, "w") as f:
        f.write("b.sources = r\nb.channels = c\nb.sinks = k\n"
                "b.sources.r.type = TAILDIR\nb.sources.r.filegroups = g\nb.sources.r.filegroups.g = %s\n"
                "b.sources.r.positionFile = %s/pos-%s.json\nb.sources.r.batchSize = 1000\nb.sources.r.channels = c\n"
                "b.channels.c.type = memory\nb.channels.c.capacity = 200000\nb.channels.c.transactionCapacity = 10000\n"
                "b.sinks.k.channel = c\n%s"
                "b.sinks.k.%suseLocalTimeStamp = true\nb.sinks.k.%sfileType = CompressedStream\nb.sinks.k.%scodeC = gzip\n"
                "b.sinks.k.%srollInterval = 0\nb.sinks.k.%srollSize = 0\nb.sinks.k.%srollCount = 0\n"
                "b.sinks.k.%sbatchSize = 10000\nb.sinks.k.%stimeZone = UTC\n"
                % ((corpus, work, backend, sink) + (p,) * 8))
    env = dict(srv.env() if srv else os.environ)
    t0 = time.monotonic()
    agent = subprocess.Popen([SLUICE, "agent", "-n", "b", "-f", conf, "--metrics-port", str(mport),
                              "--no-reload-conf"], stdout=open(os.path.join(work, backend + ".log"), "w"),
                             stderr=subprocess.STDOUT, env=env)
    hwm = [0]  # VmHWM of the agent itself (rusage's ru_maxrss would count the pre-exec fork of this script)

    def watch():
        while True:
            try:
                hwm[0] = max(hwm[0], proc_hwm_kb(agent.pid))
            except OSError:
                return
            time.sleep(0.05)
    threading.Thread(target=watch, daemon=True).start()
    wait_port(mport)
    while drained(mport) < n and agent.poll() is None:
        time.sleep(0.02)
    agent.send_signal(signal.SIGTERM)  # closes the file: the S3 object is completed before exit
    _, status, ru = os.wait4(agent.pid, 0)
    secs = time.monotonic() - t0
    if backend == "local":
        lines = sum(sum(1 for _ in gzip.open(os.path.join(d, f)))
                    for d, _, fs in os.walk(out) for f in fs if not f.endswith(".tmp"))
    else:
        lines = sum(gzip.decompress(srv.get(k)).count(b"\n") for k in srv.keys("bench/"))
    size = os.path.getsize(corpus)
    return {"backend": backend, "events": n, "seconds": round(secs, 2), "events_per_s": int(n / secs),
            "mb_per_s": round(size / secs / 1e6, 1), "cpu_s_per_m": round((ru.ru_utime + ru.ru_stime) / (n / 1e6), 2),
            "rss_mb": round(hwm[0] / 1024, 1), "ok": lines == n and status == 0, "lines": lines}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=2000000)
    ap.add_argument("--part-size", type=int, default=16 * 1024 * 1024)
    ap.add_argument("--out")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sluice-s3-bench-") as work:
        corpus = os.path.join(work, "access.log")
        with open(corpus, "w") as f:
            subprocess.run(["/usr/bin/python3", os.path.join(HERE, "corpus.py"), "--kind", "squid", "--count",
                            str(a.events)], stdout=f, check=True)
        srv = S3rver()
        try:
            rows = [run("local", corpus, a.events, work, None, a.part_size),
                    run("s3", corpus, a.events, work, srv, a.part_size)]
        finally:
            srv.stop()
    lines = ["| backend | events | seconds | events/s | input MB/s | agent CPU s / M events | peak RSS MB | output check |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append("| %s | %d | %.2f | %d | %.1f | %.2f | %.1f | %s |" % (
            r["backend"], r["events"], r["seconds"], r["events_per_s"], r["mb_per_s"], r["cpu_s_per_m"], r["rss_mb"],
            "ok" if r["ok"] else "FAILED (%d lines)" % r["lines"]))
    ratio = rows[1]["events_per_s"] / rows[0]["events_per_s"]
    lines.append("")
    lines.append("S3 throughput = %.0f %% of the local backend's (target >= 80 %%)." % (100 * ratio))
    return report(lines, a.out, rows)


if __name__ == "__main__":
    sys.exit(main())
