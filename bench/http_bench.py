#!/usr/bin/python3
"""http source bench: `bench/http_load` (C keep-alive connections POSTing JSON arrays of 300-byte
events) against `sluice agent` with http source -> memory -> null. For each connection count and
batch size: events/s, CPU-seconds per million events of the agent (user+sys from /proc), peak RSS,
and a count check (the null sink's EventDrainSuccessCount from /metrics must equal what was sent).

usage: http_bench.py [--events N] [--connections 1,8,32] [--batches 100] [--out FILE]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import report, sink_drained, free_port, proc_cpu, proc_hwm_kb, wait_port  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SLUICE = os.path.join(ROOT, "build", "sluice")
LOAD = os.path.join(ROOT, "build", "bench", "http_load")


def drained(metrics_port):
    return sink_drained(metrics_port, "k1")


def run(events, conns, batch, work):
    port, mport = free_port(), free_port()
    conf = os.path.join(work, "http.properties")
    with open(conf, "w") as f:
        f.write("""a.sources = h
a.channels = c
a.sinks = k1
a.sources.h.type = http
a.sources.h.bind = 127.0.0.1
a.sources.h.port = %d
a.sources.h.threads = 4
a.sources.h.channels = c
a.channels.c.type = memory
a.channels.c.capacity = 200000
a.channels.c.transactionCapacity = %d
a.sinks.k1.type = null
a.sinks.k1.channel = c
a.sinks.k1.batchSize = 1000
""" % (port, max(batch, 1000)))
    log = open(os.path.join(work, "agent.log"), "w")
    agent = subprocess.Popen([SLUICE, "agent", "-n", "a", "-f", conf, "--metrics-port", str(mport)],
                             stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_port(port) or not wait_port(mport):
            raise RuntimeError("agent did not listen")
        cpu0 = proc_cpu(agent.pid)
        t0 = time.monotonic()
        out = subprocess.run([LOAD, "127.0.0.1", str(port), str(events), str(conns), str(batch)],
                             check=True, capture_output=True, text=True).stdout
        load = json.loads(out)
        deadline = time.monotonic() + 60
        while drained(mport) < load["events"] and time.monotonic() < deadline:
            time.sleep(0.02)
        secs = time.monotonic() - t0
        cpu = proc_cpu(agent.pid) - cpu0
        got = drained(mport)
        return {"connections": conns, "batch": batch, "events": load["events"], "received": got,
                "events_per_s": int(load["events"] / secs), "cpu_s_per_m": round(cpu / (load["events"] / 1e6), 2),
                "rss_mb": round(proc_hwm_kb(agent.pid) / 1024, 1), "retries_503": load["retries_503"],
                "ok": got == load["events"] and load["errors"] == 0}
    finally:
        agent.terminate()
        agent.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=2000000)
    ap.add_argument("--connections", default="1,8,32")
    ap.add_argument("--batches", default="100")
    ap.add_argument("--out")
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for batch in [int(b) for b in a.batches.split(",")]:
            for c in [int(x) for x in a.connections.split(",")]:
                r = run(a.events, c, batch, work)
                print(r, flush=True)
                rows.append(r)
    lines = ["| connections | events/request | events | events/s | agent CPU s / M events | peak RSS MB | 503 retries | count check |",
             "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append("| %d | %d | %d | %d | %.2f | %.1f | %d | %s |" % (
            r["connections"], r["batch"], r["events"], r["events_per_s"], r["cpu_s_per_m"], r["rss_mb"],
            r["retries_503"], "ok" if r["ok"] else "FAILED (%d received)" % r["received"]))
    return report(lines, a.out, rows)


if __name__ == "__main__":
    sys.exit(main())
