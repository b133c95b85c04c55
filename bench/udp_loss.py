#!/usr/bin/python3
"""UDP syslog side by side: syslog-ng's loggen sends the same RFC 5424 corpus over UDP at fixed rates
to sluice (syslogudp -> memory -> gzip files), rsyslog (imudp -> omfile zipLevel 6) and syslog-ng
(network(udp) -> file(), no compression). UDP has no backpressure: what a receiver does not read in
time the kernel drops. For each rate and agent: messages received, loss, and CPU-seconds per million
received messages. Every received line must be one that was sent (content check on the set).

usage: udp_loss.py [--events N] [--rates 20000,50000,100000] [--agents sluice,rsyslog,syslog-ng] [--plain] [--out FILE]
"""
import argparse
import re
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import agents  # noqa: E402
from harness import report, free_port, proc_cpu, read_output, wait_quiet  # noqa: E402


def wait_udp_bound(port, proc, timeout=30.0):
    """Waits until some socket is bound to the UDP port (IPv4 or IPv6), as /proc/net/udp* shows."""
    deadline = time.time() + timeout
    want = ":%04X " % port
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the agent exited before binding UDP port %d" % port)
        for table in ("/proc/net/udp", "/proc/net/udp6"):
            try:
                with open(table) as f:
                    if any(line.split()[1].endswith(want.strip()) for line in list(f)[1:]):
                        time.sleep(0.3)  # bound; let it reach its receive loop
                        return
            except OSError:
                pass
        time.sleep(0.05)
    raise RuntimeError("nothing bound UDP port %d within %.0f s" % (port, timeout))


def run(agent_cls, corpus, sent_lines, n, rate, work, loggen, env):
    agent = agent_cls(work, free_port())
    proc = agent.start("udp")
    try:
        wait_udp_bound(agent.port, proc)  # packets sent before the bind would count as losses
        cpu0 = proc_cpu(proc.pid)
        # --interval: loggen otherwise stops after 10 s; its own count of what it sent is used.
        res = subprocess.run([loggen, "--dgram", "--read-file", corpus, "--dont-parse", "--rate", str(rate),
                              "--number", str(n), "--interval", "3600", "--quiet", "127.0.0.1", str(agent.port)],
                             env=env, check=True, capture_output=True, text=True, timeout=600)
        m = re.search(r"count=(\d+)", res.stdout + res.stderr)
        n = int(m.group(1)) if m else n
        wait_quiet(agent.out, proc, quiet=2.0)
        cpu = proc_cpu(proc.pid) - cpu0
    finally:
        agent.stop()
    got = read_output(agent.out)
    foreign = sum(1 for line in got if line not in sent_lines)
    return {"agent": agent.name, "rate": rate, "sent": n, "received": len(got),
            "loss_pct": 100.0 * (n - len(got)) / n, "cpu_s_per_m": cpu / max(len(got) / 1e6, 1e-9),
            "ok": foreign == 0 and len(got) <= n, "foreign": foreign}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=300000)
    ap.add_argument("--rates", default="20000,50000,100000")
    ap.add_argument("--agents", default="sluice,rsyslog,syslog-ng")
    ap.add_argument("--out")
    ap.add_argument("--plain", action="store_true", help="every agent writes uncompressed files, as syslog-ng does")
    a = ap.parse_args()
    agents.PLAIN = a.plain
    loggen_env = subprocess.run(["bash", "-c", ". %s/tests/peers/syslog-ng-env.sh && env -0" % agents.ROOT],
                                check=True, capture_output=True).stdout
    env = dict(item.split("=", 1) for item in loggen_env.decode().split("\0") if "=" in item)
    loggen = env["LOGGEN"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="sluice-udp-") as work:
        corpus = os.path.join(work, "corpus.log")
        with open(corpus, "w") as f:
            subprocess.run(["/usr/bin/python3", os.path.join(HERE, "corpus.py"), "--kind", "rfc5424", "--count",
                            str(a.events)], stdout=f, check=True)
        with open(corpus, "rb") as f:
            sent = set(line.rstrip(b"\n") for line in f)
        for rate in [int(r) for r in a.rates.split(",")]:
            for name in a.agents.split(","):
                r = run(agents.AGENTS[name], corpus, sent, a.events, rate, os.path.join(work, "%s-%d" % (name, rate)),
                        loggen, env)
                print(r, flush=True)
                rows.append(r)
    lines = ["| rate (msg/s) | agent | sent | received | loss | CPU s / M received | content check |",
             "|---:|---|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append("| %d | %s | %d | %d | %.2f %% | %.2f | %s |" % (
            r["rate"], r["agent"], r["sent"], r["received"], r["loss_pct"], r["cpu_s_per_m"],
            "ok" if r["ok"] else "FAILED (%d lines not sent)" % r["foreign"]))
    return report(lines, a.out, rows)


if __name__ == "__main__":
    sys.exit(main())
