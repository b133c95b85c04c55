"""The real binary with sink type s3 (and type hdfs with an s3a:// path) writing gzip-rolled,
date-partitioned objects to s3rver on loopback: Flume's file naming, every input line exactly once
across the objects (read back with botocore), nothing left in staging after a graceful stop."""
import gzip
import os
import re
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from net_support import TIME_SCALE, free_port, metrics  # noqa: E402
from s3_test_support import S3rver, Checks  # noqa: E402

SLUICE = os.environ.get("SLUICE_BIN", os.path.join(os.path.dirname(__file__), "../../build/sluice"))


def run_agent(srv, conf_text, lines):
    """Sends every line to the netcat source and stops the agent gracefully once the source has put
    them all into the channel (a stop drains the channel, but drops what is still unread in the
    socket, as Flume's netcat source does)."""
    conf = os.path.join(srv.tmp, "agent.properties")
    with open(conf, "w") as f:
        f.write(conf_text)
    log = open(os.path.join(srv.tmp, "agent.log"), "ab")
    mport = free_port()
    agent = subprocess.Popen([SLUICE, "agent", "-n", "a1", "-f", conf, "--metrics-port", str(mport)],
                             stdout=log, stderr=log, env=srv.env())
    try:
        port = int(re.search(r"r1.port = (\d+)", conf_text).group(1))
        for _ in range(200 * TIME_SCALE):
            try:
                sock = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("netcat source did not listen")
        sock.sendall(b"".join(line + b"\n" for line in lines))
        sock.close()
        deadline = time.time() + 120 * TIME_SCALE
        while time.time() < deadline and accepted(mport) < len(lines):
            time.sleep(0.2)
        assert accepted(mport) == len(lines), f"the source accepted {accepted(mport)} of {len(lines)} lines"
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=60 * TIME_SCALE)
    return agent.returncode


def accepted(mport):
    return int(metrics(mport).get("SOURCE.r1", {}).get("EventAcceptedCount", 0))


def objects(srv, prefix):
    return sorted(k for k in srv.keys(prefix))


def main():
    c = Checks()
    srv = S3rver()
    ok = False
    try:
        lines = [b"%06d GET http://example.com/%d 200 %s" % (i, i, b"x" * (i % 50)) for i in range(50000)]
        common = f"""a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = {free_port()}
a1.sources.r1.ack-every-event = false
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.channel = c1
"""
        s3_sink = common + f"""a1.sinks.k1.type = s3
a1.sinks.k1.path = s3://logs/proxy/%Y%m%d
a1.sinks.k1.useLocalTimeStamp = true
a1.sinks.k1.filePrefix = proxy-data
a1.sinks.k1.fileSuffix = .txt.gz
a1.sinks.k1.fileType = CompressedStream
a1.sinks.k1.codeC = gzip
a1.sinks.k1.rollCount = 20000
a1.sinks.k1.rollSize = 0
a1.sinks.k1.rollInterval = 0
a1.sinks.k1.batchSize = 1000
a1.sinks.k1.endpoint = {srv.endpoint}
a1.sinks.k1.pathStyleAccess = true
a1.sinks.k1.stagingDir = {srv.staging}
a1.sinks.k1.contentType = application/gzip
a1.sinks.k1.metadata.team = secops
a1.sinks.k1.metadata.source-host = %{{host}}
a1.sources.r1.interceptors = h
a1.sources.r1.interceptors.h.type = static
a1.sources.r1.interceptors.h.key = host
a1.sources.r1.interceptors.h.value = proxy-7
"""
        rc = run_agent(srv, s3_sink, lines)
        c.check(rc == 0, f"agent (type s3) stopped cleanly (rc {rc})")
        keys = objects(srv, "proxy/")
        print("objects:", keys)
        c.check(len(keys) == 3, "three objects for 50000 events with rollCount 20000")
        c.check(all(re.fullmatch(rf"proxy/\d{{8}}/proxy-data\.\d{{13}}\.txt\.gz", k) for k in keys),
                "Flume naming: <path>/<prefix>.<counter><suffix>, no in-use names")
        got = b"".join(gzip.decompress(srv.get(k)) for k in keys).splitlines()
        c.check(sorted(got) == sorted(lines) and len(got) == len(lines), "every line exactly once")
        c.check(got == lines, "in order across objects (counter order)")
        c.check(os.listdir(srv.staging) == [], "staging empty after a graceful stop")
        meta = srv.s3.head_object(Bucket="logs", Key=keys[0])["Metadata"] if keys else {}
        c.check(meta.get("team") == "secops" and meta.get("source-host") == "proxy-7",
                f"object metadata, static and from the opening event's host header ({meta})")

        hdfs_sink = re.sub(r"r1.port = \d+", f"r1.port = {free_port()}", common) + f"""a1.sinks.k1.type = hdfs
a1.sinks.k1.hdfs.path = s3a://logs/lake/%Y%m%d
a1.sinks.k1.hdfs.useLocalTimeStamp = true
a1.sinks.k1.hdfs.fileType = DataStream
a1.sinks.k1.hdfs.rollCount = 0
a1.sinks.k1.hdfs.rollSize = 0
a1.sinks.k1.hdfs.rollInterval = 0
a1.sinks.k1.hdfs.batchSize = 500
a1.sinks.k1.hdfs.s3.endpoint = {srv.endpoint}
a1.sinks.k1.hdfs.s3.pathStyleAccess = true
a1.sinks.k1.hdfs.s3.stagingDir = {srv.staging}
"""
        few = lines[:5000]
        rc = run_agent(srv, hdfs_sink, few)
        keys = objects(srv, "lake/")
        c.check(rc == 0 and len(keys) == 1 and re.fullmatch(rf"lake/\d{{8}}/FlumeData\.\d{{13}}", keys[0]) is not None,
                f"type hdfs with an s3a:// path: one object named FlumeData.<counter> ({keys})")
        c.check(keys and srv.get(keys[0]).splitlines() == few, "hdfs + s3a: content equal")
        ok = True
    finally:
        srv.stop(keep=not ok)
        if not ok:
            print("logs kept in", srv.tmp)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
