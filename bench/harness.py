#!/usr/bin/python3
"""Side-by-side benchmark: sluice, rsyslog and syslog-ng on the same machine and the same corpus,
one after the other in one run. For each: events/s, CPU-seconds per million events (user+sys of
the agent process from /proc), peak RSS (VmHWM), output bytes, and an output check — line count and
a content hash of the sorted decompressed output must equal the input's, or the row is marked FAILED.

usage: harness.py [--events N] [--scenarios syslog,tail] [--agents sluice,rsyslog,syslog-ng]
                  [--results bench/RESULTS.md] [--charts bench/results] [--smoke]
"""
import argparse
import gzip
import hashlib
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agents  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def proc_cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def proc_hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def tree_size(path):
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(d, f))
            except OSError:
                pass
    return total


def read_output(path):
    """All lines of every output file, gzip or plain; a gzip member without trailer still yields its data."""
    lines = []
    for d, _, files in os.walk(path):
        for f in sorted(files):
            raw = open(os.path.join(d, f), "rb").read()
            if raw[:2] == b"\x1f\x8b":
                data = b""
                while raw:
                    dec = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    data += dec.decompress(raw)
                    raw = dec.unused_data
            else:
                data = raw
            lines.extend(data.splitlines())
    return lines


def digest(lines):
    h = hashlib.sha256()
    for line in sorted(lines):
        h.update(line)
        h.update(b"\n")
    return h.hexdigest()


def sink_drained(mport, sink="k"):
    """EventDrainSuccessCount of SINK.<sink> from an agent's /metrics (0 while it does not answer)."""
    import json
    import urllib.request
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % mport, timeout=5) as r:
            return int(json.load(r)["SINK." + sink]["EventDrainSuccessCount"])
    except (OSError, KeyError, ValueError):
        return 0


def report(lines, out, rows):
    """Prints the markdown lines, writes them to out (if given); the exit status: 0 when every row is ok."""
    text = "\n".join(lines) + "\n"
    print(text)
    if out:
        with open(out, "w") as f:
            f.write(text)
    return 0 if all(r["ok"] for r in rows) else 1


def wait_port(port, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def send_tcp(port, corpus):
    with socket.create_connection(("127.0.0.1", port)) as s, open(corpus, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            s.sendall(chunk)


def grow_file(target, corpus, rate_lines=None):
    """Appends the corpus to target in 1 MiB chunks (a growing log file)."""
    with open(corpus, "rb") as src, open(target, "ab") as dst:
        while True:
            chunk = src.read(1 << 20)
            if not chunk:
                break
            dst.write(chunk)
            dst.flush()


def wait_quiet(out_dir, proc, quiet=3.0, limit=900):
    """Waits until the output stops growing for `quiet` seconds; returns the time of the last growth."""
    last_size, last_change = -1, time.time()
    end = time.time() + limit
    while time.time() < end and proc.poll() is None:
        size = tree_size(out_dir)
        if size != last_size:
            last_size, last_change = size, time.time()
        elif time.time() - last_change >= quiet:
            break
        time.sleep(0.25)
    return last_change


PROBE = b"LATENCY-PROBE"


def probe_latency(source_file, out_dir, count=100, gap=0.02, limit=15.0):
    """After the throughput run, with the agent still up: appends `count` probe lines to the tailed
    file, `gap` s apart (from a thread), while watching the (plain) output for each; returns
    (median, p99, missing) in ms. Only the bytes appended after the probe started are read."""
    start = {}
    for d, _, files in os.walk(out_dir):
        for f in files:
            start[os.path.join(d, f)] = os.path.getsize(os.path.join(d, f))
    sent, seen = {}, {}

    def write_probes():
        with open(source_file, "ab") as src:
            for i in range(count):
                sent[i] = time.time()
                src.write(b"%s-%d\n" % (PROBE, i))
                src.flush()
                time.sleep(gap)
    writer = threading.Thread(target=write_probes)
    writer.start()
    end = time.time() + count * gap + limit
    while len(seen) < count and time.time() < end:
        now = time.time()
        for d, _, files in os.walk(out_dir):
            for f in files:
                path = os.path.join(d, f)
                with open(path, "rb") as fh:
                    fh.seek(start.get(path, 0))
                    for line in fh.read().splitlines():
                        if line.startswith(PROBE + b"-"):
                            seen.setdefault(int(line[len(PROBE) + 1:].split()[0]), now)
        time.sleep(0.005)
    writer.join()
    lat = sorted((seen[i] - sent[i]) * 1000 for i in seen if i in sent)
    if not lat:
        return None, None, count
    return lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))], count - len(lat)


def run_one(agent_cls, scenario, corpus, n, want_digest, work):
    port = free_port()
    agent = agent_cls(work, port)
    source_file = os.path.join(agent.work, "input.log") if scenario == "tail" else None
    if source_file:
        open(source_file, "w").close()
    proc = agent.start(scenario, source_file)
    row = {"agent": agent.name, "scenario": scenario, "events": n, "compressed": agent.compresses and not agents.PLAIN}
    try:
        if scenario == "syslog" and not wait_port(port):
            raise RuntimeError("agent did not listen on %d (see %s/agent.log)" % (port, agent.work))
        if scenario == "tail":
            time.sleep(1.0)
        pids = [p.pid for p in agent.procs]
        cpu0 = sum(proc_cpu(p) for p in pids)
        t0 = time.time()
        if scenario == "syslog":
            send_tcp(port, corpus)
        else:
            grow_file(source_file, corpus)
        t_end = wait_quiet(agent.out, proc)
        elapsed = max(t_end - t0, 1e-6)
        cpu = sum(proc_cpu(p) for p in pids) - cpu0
        row["rss_mb"] = sum(proc_hwm_kb(p) for p in pids) / 1024.0
        if scenario == "tail" and agents.PLAIN:
            row["lat_p50"], row["lat_p99"], row["lat_missing"] = probe_latency(source_file, agent.out)
    finally:
        agent.stop()
    lines = [line for line in read_output(agent.out) if not line.startswith(PROBE)]
    row.update({
        "seconds": elapsed,
        "events_per_s": n / elapsed,
        "cpu_s_per_m": cpu / (n / 1e6),
        "out_bytes": tree_size(agent.out),
        "out_lines": len(lines),
        "ok": len(lines) == n and digest(lines) == want_digest,
    })
    if not row["ok"]:
        row["why"] = "output has %d lines of %d%s" % (len(lines), n, "" if len(lines) != n else ", content differs")
    shutil.rmtree(agent.work, ignore_errors=True) if row["ok"] else None
    return row


def versions():
    v = {}
    for name, cmd in (("sluice", [agents.sluice_bin(), "version"]), ("rsyslog", ["rsyslogd", "-v"])):
        try:
            v[name] = subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
        except Exception as e:  # noqa: BLE001
            v[name] = "unavailable (%s)" % e
    try:
        binary, env = agents.syslog_ng_env()
        v["syslog-ng"] = subprocess.run([binary, "--version"], capture_output=True, text=True, env=env).stdout.splitlines()[0]
    except Exception as e:  # noqa: BLE001
        v["syslog-ng"] = "unavailable (%s)" % e
    return v


def table(rows):
    out = ["| scenario | agent | events | events/s | CPU s / M events | peak RSS MB | output MB | gzip | output check |",
           "|---|---|---:|---:|---:|---:|---:|---|---|"]
    for r in rows:
        if "error" in r:
            out.append("| %s | %s | %d | - | - | - | - | - | FAILED: %s |" % (r["scenario"], r["agent"], r["events"], r["error"]))
            continue
        out.append("| %s | %s | %d | %.0f | %.2f | %.1f | %.1f | %s | %s |" % (
            r["scenario"], r["agent"], r["events"], r["events_per_s"], r["cpu_s_per_m"], r["rss_mb"],
            r["out_bytes"] / 1e6, "yes" if r["compressed"] else "no", "ok" if r["ok"] else "FAILED: " + r["why"]))
    lat = [r for r in rows if r.get("lat_p50") is not None or r.get("lat_missing")]
    if lat:
        out += ["", "End-to-end latency, tail (probe lines appended 20 ms apart after the run; write to output):", "",
                "| agent | median ms | p99 ms | probes not seen in time |", "|---|---:|---:|---:|"]
        for r in lat:
            out.append("| %s | %s | %s | %d |" % (r["agent"], "-" if r["lat_p50"] is None else "%.0f" % r["lat_p50"],
                                                 "-" if r["lat_p99"] is None else "%.0f" % r["lat_p99"], r["lat_missing"]))
    return "\n".join(out)


def charts(rows, outdir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no charts", file=sys.stderr)
        return []
    os.makedirs(outdir, exist_ok=True)
    made = []
    for metric, label in (("events_per_s", "events/s"), ("cpu_s_per_m", "CPU seconds per million events")):
        fig, ax = plt.subplots(figsize=(7, 3.5))
        good = [r for r in rows if r.get("ok")]
        names = ["%s\n%s" % (r["scenario"], r["agent"]) for r in good]
        ax.bar(names, [r[metric] for r in good], color=["#2a7" if r["agent"] == "sluice" else "#888" for r in good])
        ax.set_ylabel(label)
        ax.set_title(label)
        fig.tight_layout()
        path = os.path.join(outdir, metric + ".png")
        fig.savefig(path)
        plt.close(fig)
        made.append(path)
    return made


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=5_000_000)
    ap.add_argument("--scenarios", default="syslog,tail")
    ap.add_argument("--agents", default="sluice,rsyslog,syslog-ng,sluice-avro,sluice-ioc",
                    help="sluice-avro (two tiers over Avro RPC) and sluice-ioc (IOC sweeper on) run the syslog scenario only")
    ap.add_argument("--results", default=None, help="write the markdown table here")
    ap.add_argument("--charts", default=None, help="write PNG charts into this directory")
    ap.add_argument("--smoke", action="store_true", help="small run; exit 1 only if an output check fails")
    ap.add_argument("--plain", action="store_true",
                    help="every agent writes uncompressed files (the job syslog-ng's file() can do)")
    a = ap.parse_args()
    agents.PLAIN = a.plain
    work = tempfile.mkdtemp(prefix="sluice-bench.")
    corpus = os.path.join(work, "corpus.log")
    with open(corpus, "w") as f:
        subprocess.run(["/usr/bin/python3", os.path.join(agents.HERE, "corpus.py"), "--kind", "rfc5424",
                        "--count", str(a.events)], stdout=f, check=True)
    want = digest(open(corpus, "rb").read().splitlines())
    rows = []
    for scenario in a.scenarios.split(","):
        for name in a.agents.split(","):
            if name in ("sluice-avro", "sluice-ioc") and scenario != "syslog":
                continue
            print("== %s / %s (%d events)" % (scenario, name, a.events), flush=True)
            try:
                row = run_one(agents.AGENTS[name], scenario, corpus, a.events, want, work)
            except Exception as e:  # noqa: BLE001
                row = {"agent": name, "scenario": scenario, "events": a.events, "error": str(e)}
            rows.append(row)
            print(table([row]).splitlines()[-1], flush=True)
    text = table(rows)
    print("\n" + text)
    if a.results:
        cmd = "bench/harness.py " + " ".join(sys.argv[1:])
        header = ("## Side by side (%s)\n\nMachine: %s, %d cores, Linux %s. Versions: %s.\n"
                  "Command: `%s`. Corpus: RFC 5424 lines carrying Squid access-log messages (bench/corpus.py).\n"
                  "Output check: line count and SHA-256 of the sorted decompressed output equal the input.\n\n"
                  % (time.strftime("%Y-%m-%d"), platform.processor() or platform.machine(), os.cpu_count(),
                     platform.release(), "; ".join("%s: %s" % kv for kv in versions().items()), cmd))
        with open(a.results, "w") as f:
            f.write(header + text + "\n")
    if a.charts:
        for p in charts(rows, a.charts):
            print("chart:", p)
    failed = [r for r in rows if not r.get("ok")]
    if failed:
        print("output check failed for: %s (work directory kept: %s)"
              % (", ".join("%s/%s" % (r["scenario"], r["agent"]) for r in failed), work))
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
