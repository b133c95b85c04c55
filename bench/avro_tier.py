#!/usr/bin/python3
"""Avro-tier bench: a remote agent forwarding to an aggregator over loopback, sluice against rsyslog.

  sluice:  TAILDIR -> memory -> avro sink (batch-size B) ==Avro RPC==> avro source -> memory -> null
  rsyslog: imfile -> omfwd TCP (dequeueBatchSize B)      ==TCP==>       imtcp -> omfile (plain file)

  rsyslog-discard: the same, the receiver writing to /dev/null (as sluice's null sink)

Both remote tiers tail the same file, which is filled with the bench/corpus.py RFC 5424 corpus after
both tiers are up. Delivered events are counted at the aggregator: for sluice the null sink's
EventDrainSuccessCount from `--metrics-port` /metrics, for rsyslog the lines of its output file,
for rsyslog-discard the discarding action's `processed` counter from impstats (once a second).
A row counts only if exactly N events arrived (and no more within a second after).
For each tier process: CPU seconds (user+sys from /proc) per million events and peak RSS (VmHWM).

usage: avro_tier.py [--events N] [--batches 100,1000] [--agents sluice,rsyslog,rsyslog-discard]
                    [--results bench/RESULTS.md]
"""
import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agents  # noqa: E402
from harness import TICKS, free_port, grow_file, proc_cpu, proc_hwm_kb, versions, wait_port  # noqa: E402

TARGET_EPS = 400_000
TARGET_CPU_RATIO = 0.5
BEGIN, END = "<!-- avro_tier.py: begin -->", "<!-- avro_tier.py: end -->"


class Tiers(agents.Agent):
    """Two processes: procs[0] the aggregator, procs[1] the remote tier (stopped first)."""

    def __init__(self, work, batch):
        self.name = "%s-b%d" % (self.kind, batch)
        super().__init__(work, free_port())
        self.batch = batch
        self.input = os.path.join(self.work, "input.log")
        open(self.input, "w").close()

    def spawn(self, cmd, log):
        return subprocess.Popen(cmd, stdout=open(os.path.join(self.work, log), "w"), stderr=subprocess.STDOUT)


class SluiceTiers(Tiers):
    kind = "sluice"

    def start(self):
        self.metrics_port = free_port()
        txn = max(1000, self.batch)
        agg = ("g.sources = a\ng.channels = c\ng.sinks = k\n"
               "g.sources.a.type = avro\ng.sources.a.bind = 127.0.0.1\ng.sources.a.port = %d\n"
               "g.sources.a.channels = c\n"
               "g.channels.c.type = memory\ng.channels.c.capacity = 200000\ng.channels.c.transactionCapacity = %d\n"
               "g.sinks.k.type = null\ng.sinks.k.channel = c\ng.sinks.k.batchSize = 1000\n" % (self.port, txn))
        remote = ("r.sources = t\nr.channels = c\nr.sinks = k\n"
                  "r.sources.t.type = TAILDIR\nr.sources.t.filegroups = f\nr.sources.t.filegroups.f = %s\n"
                  "r.sources.t.positionFile = %s/positions.json\nr.sources.t.batchSize = 1000\n"
                  "r.sources.t.channels = c\n"
                  "r.channels.c.type = memory\nr.channels.c.capacity = 200000\nr.channels.c.transactionCapacity = %d\n"
                  "r.sinks.k.type = avro\nr.sinks.k.channel = c\nr.sinks.k.hostname = 127.0.0.1\n"
                  "r.sinks.k.port = %d\nr.sinks.k.batch-size = %d\n"
                  % (os.path.dirname(self.input) + "/" + re.escape(os.path.basename(self.input)), self.work, txn, self.port, self.batch))
        base = [agents.sluice_bin(), "agent", "--no-reload-conf"]
        aggp = self.spawn(base + ["-n", "g", "-f", self.write("aggregator.properties", agg),
                                  "--metrics-port", str(self.metrics_port)], "aggregator.log")
        self.procs = [aggp]
        if not (wait_port(self.port) and wait_port(self.metrics_port)):
            raise RuntimeError("aggregator did not listen (see %s/aggregator.log)" % self.work)
        self.procs.append(self.spawn(base + ["-n", "r", "-f", self.write("remote.properties", remote)], "remote.log"))
        time.sleep(1.0)  # the tail source is watching the (empty) input

    def delivered(self):
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.metrics_port, timeout=5) as r:
            return int(json.load(r)["SINK.k"]["EventDrainSuccessCount"])


class RsyslogTiers(Tiers):
    kind = "rsyslog"

    def instance(self, name, body):
        work = os.path.join(self.work, name)
        os.makedirs(work, exist_ok=True)
        conf = ('global(workDirectory="%s" maxMessageSize="8k")\n' % work + body)
        path = self.write(name + ".conf", conf)
        return self.spawn(["rsyslogd", "-n", "-f", path, "-i", os.path.join(work, "rsyslog.pid")], name + ".log")

    def receiver_output(self):
        """(extra module lines, the action): the raw line, as received, one per line in a plain file."""
        self.output = os.path.join(self.out, "received.log")
        self.lines, self.offset = 0, 0
        return "", 'action(type="omfile" file="%s" template="raw" ioBufferSize="256k")' % self.output

    def start(self):
        queue = 'queue.type="LinkedList" queue.size="200000" queue.dequeueBatchSize="%d"' % self.batch
        modules, action = self.receiver_output()
        recv = (modules + 'module(load="imtcp" MaxSessions="100")\n'
                'input(type="imtcp" address="127.0.0.1" port="%d" ruleset="in")\n'
                'template(name="raw" type="string" string="%%rawmsg%%\\n")\n'
                'ruleset(name="in" %s) {\n  %s\n}\n' % (self.port, queue, action))
        # Sender: imfile -> omfwd over TCP, the line unchanged (omfwd adds the LF framing).
        send = ('module(load="imfile")\n'
                'input(type="imfile" File="%s" Tag="bench" ruleset="out")\n'
                'template(name="raw" type="string" string="%%rawmsg%%")\n'
                'ruleset(name="out" %s) {\n'
                '  action(type="omfwd" target="127.0.0.1" port="%d" protocol="tcp" template="raw")\n'
                '}\n' % (self.input, queue, self.port))
        self.procs = [self.instance("receiver", recv)]
        if not wait_port(self.port):
            raise RuntimeError("rsyslog receiver did not listen (see %s/receiver.log)" % self.work)
        self.procs.append(self.instance("sender", send))
        time.sleep(1.0)

    def delivered(self):
        if os.path.exists(self.output):
            with open(self.output, "rb") as f:
                f.seek(self.offset)
                data = f.read()
            self.offset += len(data)
            self.lines += data.count(b"\n")
        return self.lines


class RsyslogDiscardTiers(RsyslogTiers):
    """The receiver writes to /dev/null like sluice's null sink; delivered events are the action's
    `processed` counter from impstats, which reports once a second (so events/s is rounded down)."""
    kind = "rsyslog-discard"

    def receiver_output(self):
        self.stats, self.offset, self.lines = os.path.join(self.work, "impstats.json"), 0, 0
        return ('module(load="impstats" interval="1" format="json" log.syslog="off" resetCounters="off"'
                ' log.file="%s")\n' % self.stats,
                'action(name="discard" type="omfile" file="/dev/null" template="raw")')

    def delivered(self):
        if os.path.exists(self.stats):
            with open(self.stats, "rb") as f:
                f.seek(self.offset)
                data = f.read()
            end = data.rfind(b"\n") + 1  # whole lines only
            self.offset += end
            for line in data[:end].splitlines():
                if b'"core.action"' in line and b'"name": "discard"' in line:
                    self.lines = json.loads(line[line.index(b"{"):])["processed"]
        return self.lines


KINDS = {"sluice": SluiceTiers, "rsyslog": RsyslogTiers, "rsyslog-discard": RsyslogDiscardTiers}


def machine_busy_s():
    """CPU seconds all cores spent outside idle and iowait since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return (sum(v) - v[3] - v[4]) / TICKS


def run_one(cls, batch, corpus, n, work, stall=60.0):
    tiers = cls(work, batch)
    row = {"agent": tiers.kind, "batch": batch, "events": n}
    try:
        tiers.start()
        cpu0 = [proc_cpu(p.pid) for p in tiers.procs]
        busy0 = machine_busy_s()
        t0 = time.time()
        grow_file(tiers.input, corpus)
        got, last, last_change = 0, -1, time.time()
        while got < n:
            if any(p.poll() is not None for p in tiers.procs):
                raise RuntimeError("a tier exited (see %s)" % tiers.work)
            got = tiers.delivered()
            if got != last:
                last, last_change = got, time.time()
            elif time.time() - last_change > stall:
                raise RuntimeError("stalled at %d of %d events" % (got, n))
            time.sleep(0.05)
        elapsed = time.time() - t0
        cpu = [proc_cpu(p.pid) - c for p, c in zip(tiers.procs, cpu0)]
        # Cores kept busy by anything but the two tiers (other users' builds, this script's appends).
        row["others"] = (machine_busy_s() - busy0 - sum(cpu)) / elapsed
        rss = [proc_hwm_kb(p.pid) / 1024.0 for p in tiers.procs]
        time.sleep(1.0)
        got = tiers.delivered()  # anything beyond n is a duplicate
    except Exception as e:  # noqa: BLE001
        row["error"] = str(e)
        return row
    finally:
        tiers.stop()
    per_m = n / 1e6
    row.update({"seconds": elapsed, "events_per_s": n / elapsed, "delivered": got, "ok": got == n,
                "agg_cpu": cpu[0] / per_m, "remote_cpu": cpu[1] / per_m, "cpu": sum(cpu) / per_m,
                "agg_rss": rss[0], "remote_rss": rss[1]})
    if row["ok"]:
        shutil.rmtree(tiers.work, ignore_errors=True)
    return row


def table(rows):
    out = ["| agent | batch | events | events/s | CPU s/M remote | CPU s/M aggregator | CPU s/M total "
           "| peak RSS MB remote / aggregator | other CPU (cores) | count check |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        if "error" in r:
            out.append("| %s | %d | %d | - | - | - | - | - | - | FAILED: %s |"
                       % (r["agent"], r["batch"], r["events"], r["error"]))
            continue
        out.append("| %s | %d | %d | %.0f | %.2f | %.2f | %.2f | %.1f / %.1f | %.2f | %s |" % (
            r["agent"], r["batch"], r["events"], r["events_per_s"], r["remote_cpu"], r["agg_cpu"], r["cpu"],
            r["remote_rss"], r["agg_rss"], r["others"],
            "ok (%d)" % r["delivered"] if r["ok"] else "FAILED: %d of %d" % (r["delivered"], r["events"])))
    return "\n".join(out)


def verdicts(rows):
    """Targets per batch size; the CPU target is judged against every rsyslog variant that ran."""
    lines = []
    ok = {(r["agent"], r["batch"]): r for r in rows if r.get("ok")}
    for batch in sorted({r["batch"] for r in rows}):
        s = ok.get(("sluice", batch))
        if not s:
            lines.append("- batch %d: no valid sluice row" % batch)
            continue
        text = "- batch %d: sluice %.0f events/s end to end (target ≥ %d k: **%s**)" % (
            batch, s["events_per_s"], TARGET_EPS // 1000, "met" if s["events_per_s"] >= TARGET_EPS else "not met")
        ratios = [(k, s["cpu"] / ok[(k, batch)]["cpu"]) for k in KINDS if k != "sluice" and (k, batch) in ok]
        if ratios:
            text += "; CPU per event %s (target ≤ %.1f×: **%s**)" % (
                ", ".join("%.2f× %s's" % (r, k) for k, r in ratios), TARGET_CPU_RATIO,
                "met" if all(r <= TARGET_CPU_RATIO for _, r in ratios) else "not met")
        lines.append(text)
    return "\n".join(lines)


def write_results(path, text):
    """Replaces the generated block of `path` (between the BEGIN/END markers), or appends one."""
    old = open(path).read() if os.path.exists(path) else ""
    block = BEGIN + "\n" + text + "\n" + END
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + block + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(new)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--batches", default="100,1000", help="avro sink batch-size / rsyslog queue.dequeueBatchSize")
    ap.add_argument("--agents", default="sluice,rsyslog,rsyslog-discard")
    ap.add_argument("--results", default=None, help="replace the generated block of this markdown file")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="sluice-avro-tier.")
    corpus = os.path.join(work, "corpus.log")
    with open(corpus, "w") as f:
        subprocess.run(["/usr/bin/python3", os.path.join(agents.HERE, "corpus.py"), "--kind", "rfc5424",
                        "--count", str(a.events)], stdout=f, check=True)
    mean = os.path.getsize(corpus) / a.events
    rows = []
    for batch in (int(b) for b in a.batches.split(",")):
        for kind in a.agents.split(","):
            print("== %s, batch %d (%d events of %.0f bytes)" % (kind, batch, a.events, mean), flush=True)
            rows.append(run_one(KINDS[kind], batch, corpus, a.events, work))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
    text = table(rows) + "\n\n" + verdicts(rows)
    print("\n" + text)
    if a.results:
        v = versions()
        git = subprocess.run(["git", "-C", agents.ROOT, "describe", "--always", "--dirty"],
                             capture_output=True, text=True).stdout.strip()
        header = ("Generated by `bench/avro_tier.py %s` on %s at commit %s: %s, %d cores, Linux %s; %s; %s. "
                  "Corpus: %d RFC 5424 lines from bench/corpus.py, %.0f bytes each on average (with the newline). "
                  "Other CPU: cores busy with anything but the two tiers during the row (/proc/stat), "
                  "i.e. the disturbance.\n\n"
                  % (" ".join(sys.argv[1:]), time.strftime("%Y-%m-%d %H:%M"), git, platform.machine(),
                     os.cpu_count(), platform.release(), v["sluice"], v["rsyslog"].split(" compiled")[0],
                     a.events, mean))
        write_results(a.results, header + text)
    os.remove(corpus)
    failed = [r for r in rows if not r.get("ok")]
    if failed:
        print("failed rows kept their work directories under %s" % work)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
