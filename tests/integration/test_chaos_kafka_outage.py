"""Kafka broker outage: TAILDIR (a file growing at 1000 lines/s) -> file channel -> kafka sink ->
librdkafka's mock cluster (tests/peers/kafka_mock_cluster, one broker, topic of 3 partitions). The
broker is taken down for SLUICE_OUTAGE_SECONDS (default 20) mid-stream and brought back. The sink's
deliveries time out and roll back (EventWriteFail counts them), the file channel holds the backlog,
and once the broker is back everything is delivered without intervention. Every line is read back
by an independent client (kafka-python); lost and duplicated counts are printed: none lost, and
duplicates only from batches that failed (a purged batch may have reached the broker)."""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

from kafka import KafkaConsumer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from net_support import free_port, metrics  # noqa: E402

SRC = os.environ.get("SLUICE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../.."))
BUILD = os.environ.get("SLUICE_BUILD_DIR", os.path.join(SRC, "build"))
SLUICE = os.environ.get("SLUICE_BIN", os.path.join(BUILD, "sluice"))
PEERS = os.path.join(SRC, "tests/peers")
OUTAGE = int(os.environ.get("SLUICE_OUTAGE_SECONDS", "20"))
RATE = 1000  # lines/s; the mock keeps only 5 MiB per partition, so the stream stays well under that
N = (3 + OUTAGE + 5) * RATE


def mock_command(mock, cmd):
    mock.stdin.write(cmd + "\n")
    mock.stdin.flush()
    answer = mock.stdout.readline().strip()
    assert answer == "ok", f"mock cluster answered {answer!r} to {cmd!r}"


def main():
    failures = []

    def check(cond, what):
        print(("PASS: " if cond else "FAIL: ") + what)
        if not cond:
            failures.append(what)

    tmp = tempfile.mkdtemp(prefix="sluice-kafka-outage-")
    mock = subprocess.Popen([os.path.join(BUILD, "tests", "kafka_mock_cluster"), "1", "logs:3"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    procs = [mock]
    ok = False
    try:
        bootstrap = mock.stdout.readline().strip()
        assert bootstrap, "mock cluster did not start"
        os.makedirs(os.path.join(tmp, "logs"))
        log_path = os.path.join(tmp, "logs", "app.log")
        open(log_path, "w").close()
        mport = free_port()
        conf = os.path.join(tmp, "agent.properties")
        with open(conf, "w") as f:
            f.write(f"""a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = TAILDIR
a1.sources.r1.filegroups = f
a1.sources.r1.filegroups.f = {tmp}/logs/app\\.log
a1.sources.r1.positionFile = {tmp}/positions.json
a1.sources.r1.batchSize = 200
a1.sources.r1.channels = c1
a1.channels.c1.type = file
a1.channels.c1.dataDirs = {tmp}/fc-data
a1.channels.c1.checkpointDir = {tmp}/fc-cp
a1.channels.c1.minimumRequiredSpace = 0
a1.channels.c1.capacity = 100000
a1.sinks.k1.type = kafka
a1.sinks.k1.channel = c1
a1.sinks.k1.kafka.bootstrap.servers = {bootstrap}
a1.sinks.k1.kafka.topic = logs
a1.sinks.k1.flumeBatchSize = 200
a1.sinks.k1.deliveryTimeout = 3000
a1.sinks.k1.kafka.producer.linger.ms = 5
""")
        writer = subprocess.Popen([sys.executable, os.path.join(PEERS, "numbered_writer.py"), log_path, str(N),
                                   str(RATE)])
        procs.append(writer)
        agent_log = open(os.path.join(tmp, "agent.log"), "ab")
        agent = subprocess.Popen([SLUICE, "agent", "-n", "a1", "-f", conf, "--metrics-port", str(mport)],
                                 stdout=agent_log, stderr=agent_log)
        procs.append(agent)
        time.sleep(3)
        before = int(metrics(mport).get("SINK.k1", {}).get("EventDrainSuccessCount", 0))
        mock_command(mock, "down 1")  # the outage starts
        time.sleep(OUTAGE)
        m = metrics(mport)
        backlog = int(m.get("CHANNEL.c1", {}).get("ChannelSize", 0))
        failed = int(m.get("SINK.k1", {}).get("EventWriteFail", 0))
        mock_command(mock, "up 1")  # the outage ends
        writer.wait()
        deadline = time.time() + 90
        while time.time() < deadline:
            m = metrics(mport)
            if (int(m.get("SINK.k1", {}).get("EventDrainSuccessCount", 0)) >= N and
                    int(m.get("CHANNEL.c1", {}).get("ChannelSize", 1)) == 0):
                break
            time.sleep(0.5)
        failed_total = int(m.get("SINK.k1", {}).get("EventWriteFail", 0))
        agent.send_signal(signal.SIGTERM)
        rc = agent.wait(timeout=60)
        consumer = KafkaConsumer("logs", bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                 consumer_timeout_ms=10000, api_version=(2, 0, 0))
        out = os.path.join(tmp, "out")
        os.makedirs(out)
        got = 0
        with open(os.path.join(out, "messages"), "wb") as f:
            for msg in consumer:
                f.write(msg.value + b"\n")
                got += 1
        consumer.close()
        print(f"during the {OUTAGE} s outage: channel backlog {backlog}, EventWriteFail {failed} "
              f"(delivered before it: {before}); at the end EventWriteFail {failed_total}; {got} messages read back")
        check(before > 0, "events flowed before the outage")
        check(backlog > OUTAGE * RATE // 2, f"the file channel held the backlog during the outage ({backlog})")
        check(failed > 0, f"the sink's failures are in its metrics (EventWriteFail {failed})")
        check(rc == 0, f"agent stopped cleanly (rc {rc})")
        count = subprocess.run([sys.executable, os.path.join(PEERS, "count_numbered.py"), out, str(N),
                                "kafka outage", "--max-copies", "2"], capture_output=True, text=True)
        print(count.stdout.strip(), count.stderr.strip())
        check(count.returncode == 0, "no line lost, none delivered more than twice")
        dup = re.search(r"duplicated (\d+)", count.stdout)
        check(dup is not None and int(dup.group(1)) <= failed_total,
              f"duplicates only from batches that failed ({dup and dup.group(1)} <= {failed_total})")
        ok = not failures
    finally:
        for p in procs:
            if p.poll() is None:
                if p is mock:
                    p.stdin.close()
                    p.terminate()
                else:
                    p.kill()
                p.wait()
        if not ok:
            path = os.path.join(tmp, "agent.log")
            if os.path.exists(path):
                print("".join(open(path, errors="replace").readlines()[-30:]))
            print("logs kept in", tmp)
        else:
            subprocess.run(["rm", "-rf", tmp])
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
