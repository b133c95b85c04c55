"""S3 outage: TAILDIR (a file growing at 4000 lines/s) -> replicated into two file channels -> two s3
sinks writing to s3rver through tests/peers/fault_proxy.py: `big` rolls 45000-line objects (multipart
upload, 5 MiB parts), `small` rolls 4000-line objects (one PutObject a second). The proxy answers
every request with 500/503 for SLUICE_OUTAGE_SECONDS (default 15), then holds each answer 0.5 s
(under the sinks' requestTimeout of 2 s), then 3 s (over it: the request times out and is sent
again although S3 did it), then passes through.

Checked for each sink: every line is in its objects (read back with botocore) with lost and
duplicated counts printed, duplicates only from batches that failed (EventWriteFail), the failures
are in the sink's metrics, everything written during the error phase was held by the agent (file
channel + S3 staging) while nothing reached S3, and the sink caught up without intervention.
A staged object whose recovery failed is tried again when the sink opens its next file, or at the
next start: if the stream ended before that (an idle sink keeps it in staging), the test starts the
agent once more, says so, and then requires staging to be empty."""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from net_support import free_port, metrics  # noqa: E402
from s3_test_support import S3rver, Checks  # noqa: E402

SRC = os.environ.get("SLUICE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../.."))
SLUICE = os.environ.get("SLUICE_BIN", os.path.join(SRC, "build/sluice"))
PEERS = os.path.join(SRC, "tests/peers")
N, RATE, LINE = 160000, 4000, 131  # numbered_writer.py lines: "seq-<i> <120 x>\n"
OUTAGE = int(os.environ.get("SLUICE_OUTAGE_SECONDS", "15"))
SCHEDULE = f"error:{OUTAGE},slow=0.5:6,slow=3:6,pass"
SINKS = {"big": 45000, "small": 4000}  # name: rollCount
STAGING_MAX = 6 * 1024 * 1024


def staged_bytes(d):
    """Disk blocks in use under a staging directory (uploaded parts are punched out of the files)."""
    n = 0
    for name in os.listdir(d) if os.path.isdir(d) else ():
        try:
            n += os.stat(os.path.join(d, name)).st_blocks * 512
        except FileNotFoundError:
            pass
    return n


def staged_journals(d):
    """(id, key, flushed length) of every object still in a staging directory."""
    out = []
    for name in sorted(os.listdir(d)):
        if not name.endswith(".journal"):
            continue
        key, flushed = None, 0
        for line in open(os.path.join(d, name)):
            rec = json.loads(line)
            key = rec.get("key", key)
            flushed = rec.get("len", flushed) if rec.get("op") == "flushed" else flushed
        out.append((name[:-8], key, flushed))
    return out


def complete_in_s3(srv, journal):
    """A CompleteMultipartUpload that timed out but was done leaves its object staged: s3rver answers
    the repeated Complete with 500 InternalError (S3 answers NoSuchUpload, which recovery handles),
    so recovery retries it at every new file. Nothing is lost; the test reports it."""
    _, key, flushed = journal
    obj = srv.keys(key).get(key)
    if obj is not None and obj["Size"] == flushed:
        print(f"NOTE: {key} is complete in S3 ({flushed} bytes) but still staged (s3rver answers 500 to the "
              "repeated CompleteMultipartUpload)")
        return True
    return False


def wait_for(pred, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.5)
    return pred()


def config(tmp, proxy_port, staging):
    names = " ".join(SINKS)
    text = f"""a1.sources = r1
a1.channels = {" ".join("c_" + s for s in SINKS)}
a1.sinks = {names}
a1.sources.r1.type = TAILDIR
a1.sources.r1.filegroups = f
a1.sources.r1.filegroups.f = {tmp}/logs/app\\.log
a1.sources.r1.positionFile = {tmp}/positions.json
a1.sources.r1.batchSize = 500
a1.sources.r1.channels = {" ".join("c_" + s for s in SINKS)}
"""
    for s, roll in SINKS.items():
        text += f"""a1.channels.c_{s}.type = file
a1.channels.c_{s}.dataDirs = {tmp}/fc-{s}/data
a1.channels.c_{s}.checkpointDir = {tmp}/fc-{s}/cp
a1.channels.c_{s}.minimumRequiredSpace = 0
a1.channels.c_{s}.capacity = 200000
a1.sinks.{s}.type = s3
a1.sinks.{s}.channel = c_{s}
a1.sinks.{s}.path = s3://logs/{s}
a1.sinks.{s}.fileType = DataStream
a1.sinks.{s}.filePrefix = app
a1.sinks.{s}.rollCount = {roll}
a1.sinks.{s}.rollSize = 0
a1.sinks.{s}.rollInterval = 0
a1.sinks.{s}.batchSize = 500
a1.sinks.{s}.endpoint = http://127.0.0.1:{proxy_port}
a1.sinks.{s}.pathStyleAccess = true
a1.sinks.{s}.stagingDir = {staging}/{s}
a1.sinks.{s}.partSize = 5242880
a1.sinks.{s}.stagingMaxBytes = {STAGING_MAX}
a1.sinks.{s}.maxAttempts = 2
a1.sinks.{s}.requestTimeout = 2000
"""
    return text


def main():
    c = Checks()
    srv = S3rver()
    tmp = srv.tmp
    procs = []
    ok = False
    try:
        os.makedirs(os.path.join(tmp, "logs"))
        log_path = os.path.join(tmp, "logs", "app.log")
        open(log_path, "w").close()
        stats = os.path.join(tmp, "proxy-stats.json")
        proxy = subprocess.Popen([sys.executable, os.path.join(PEERS, "fault_proxy.py"), f"127.0.0.1:{srv.port}",
                                  SCHEDULE, stats], stdout=subprocess.PIPE, text=True)
        procs.append(proxy)
        proxy_port = int(proxy.stdout.readline())
        mport = free_port()
        conf = os.path.join(tmp, "agent.properties")
        with open(conf, "w") as f:
            f.write(config(tmp, proxy_port, srv.staging))
        writer = subprocess.Popen([sys.executable, os.path.join(PEERS, "numbered_writer.py"), log_path, str(N),
                                   str(RATE)])
        procs.append(writer)
        started = time.time()
        agent_log = open(os.path.join(tmp, "agent.log"), "ab")
        agent = subprocess.Popen([SLUICE, "agent", "-n", "a1", "-f", conf, "--metrics-port", str(mport)],
                                 stdout=agent_log, stderr=agent_log, env=srv.env())
        procs.append(agent)
        peak = {s: 0 for s in SINKS}
        watching = threading.Event()

        def watch_staging():
            while not watching.wait(0.3):
                for s in SINKS:
                    peak[s] = max(peak[s], staged_bytes(os.path.join(srv.staging, s)))
        threading.Thread(target=watch_staging, daemon=True).start()

        time.sleep(3)
        lines_before = int((time.time() - started) * RATE)
        proxy.send_signal(signal.SIGUSR1)  # the outage starts
        time.sleep(OUTAGE - 1)
        m = metrics(mport)
        written = int((time.time() - started) * RATE) - lines_before  # lines written during the error phase
        during = {s: (int(m.get(f"CHANNEL.c_{s}", {}).get("ChannelSize", 0)),
                      staged_bytes(os.path.join(srv.staging, s)),
                      int(m.get(f"SINK.{s}", {}).get("EventWriteFail", 0))) for s in SINKS}
        writer.wait()
        drained = wait_for(lambda: all(
            int(metrics(mport).get(f"SINK.{s}", {}).get("EventDrainSuccessCount", 0)) >= N and
            int(metrics(mport).get(f"CHANNEL.c_{s}", {}).get("ChannelSize", 1)) == 0 for s in SINKS), 120)
        m = metrics(mport)
        watching.set()
        agent.send_signal(signal.SIGTERM)
        rc = agent.wait(timeout=120)
        left = {s: len([n for n in os.listdir(os.path.join(srv.staging, s)) if n.endswith(".journal")]) for s in SINKS}
        if any(left.values()):
            print(f"staged objects left after the stop (recovery failed after the sink's last new file): {left}; "
                  "starting the agent again, which finishes them at start")
            agent = subprocess.Popen([SLUICE, "agent", "-n", "a1", "-f", conf], stdout=agent_log, stderr=agent_log,
                                     env=srv.env())
            procs.append(agent)
            wait_for(lambda: not any(os.listdir(os.path.join(srv.staging, s)) for s in SINKS), 20)
            agent.send_signal(signal.SIGTERM)
            rc = max(rc, agent.wait(timeout=120))
        with open(stats) as f:
            answered = json.load(f)["requests"]
        print(f"proxy answered {answered}; {written} lines written during the {OUTAGE} s error phase")
        c.check(answered["error"] > 0 and answered["slow"] > 0, "the proxy injected errors and slow answers")
        c.check(drained, "both sinks caught up after the outage without intervention")
        c.check(rc == 0, f"agent stopped cleanly (rc {rc})")
        for s in SINKS:
            backlog, staged, failed_during = during[s]
            failed = int(m.get(f"SINK.{s}", {}).get("EventWriteFail", 0))
            print(f"{s}: at the end of the error phase channel backlog {backlog} events, staging {staged} bytes, "
                  f"EventWriteFail {failed_during}; at the end EventWriteFail {failed}; staging peaked at "
                  f"{peak[s]} bytes on disk (stagingMaxBytes {STAGING_MAX})")
            c.check(backlog * LINE + staged >= 0.8 * written * LINE,
                    f"{s}: what was written during the outage was held by the agent (channel + staging)")
            c.check(failed_during > 0, f"{s}: the failures are in the sink's metrics (EventWriteFail {failed_during})")
            # On disk: the staged bytes, plus journals and file-system blocks (the slack).
            c.check(peak[s] <= STAGING_MAX + 256 * 1024,
                    f"{s}: staging stayed within stagingMaxBytes during the outage (peak {peak[s]} bytes)")
            out = os.path.join(tmp, "objects-" + s)
            os.makedirs(out)
            keys = sorted(srv.keys(s + "/"))
            for i, k in enumerate(keys):
                with open(os.path.join(out, "%04d" % i), "wb") as f:
                    f.write(srv.get(k))
            count = subprocess.run([sys.executable, os.path.join(PEERS, "count_numbered.py"), out, str(N),
                                    f"s3 outage, sink {s}, {len(keys)} objects", "--max-copies", "2"],
                                   capture_output=True, text=True)
            print(count.stdout.strip(), count.stderr.strip())
            c.check(count.returncode == 0, f"{s}: no line lost, none delivered more than twice")
            dup = re.search(r"duplicated (\d+)", count.stdout)
            c.check(dup is not None and int(dup.group(1)) <= failed,
                    f"{s}: duplicates only from batches that failed ({dup and dup.group(1)} <= {failed})")
            stuck = [j for j in staged_journals(os.path.join(srv.staging, s)) if not complete_in_s3(srv, j)]
            c.check(stuck == [], f"{s}: staging empty at the end, but for objects already complete in S3 ({stuck})")
        ok = c.failed == 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if not ok:
            path = os.path.join(tmp, "agent.log")
            if os.path.exists(path):
                print(f"== {path} (last 40 lines)")
                print("".join(open(path, errors="replace").readlines()[-40:]))
        srv.stop(keep=not ok)
        if not ok:
            print("logs kept in", tmp)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
