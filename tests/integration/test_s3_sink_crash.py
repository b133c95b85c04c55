"""kill -9 of the agent (sink type s3, gzip) after the first multipart part went up, then a restart:
the object the crash left in staging is finished on start and rewritten as a complete gzip stream;
it holds an in-order prefix of the input with no line twice (every committed batch, nothing torn)."""
import glob
import gzip
import os
import random
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from s3_test_support import S3rver, Checks  # noqa: E402
from test_s3_sink import SLUICE, free_port  # noqa: E402


def staged_part_uploaded(staging):
    for j in glob.glob(os.path.join(staging, "*.journal")):
        with open(j) as f:
            if '"op":"part"' in f.read():
                return True
    return False


def main():
    c = Checks()
    srv = S3rver()
    ok = False
    try:
        r = random.Random(11)
        lines = [b"%07d %s" % (i, r.randbytes(40).hex().encode()) for i in range(200000)]
        port = free_port()
        conf = os.path.join(srv.tmp, "agent.properties")
        with open(conf, "w") as f:
            f.write(f"""a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = {port}
a1.sources.r1.ack-every-event = false
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 20000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = s3
a1.sinks.k1.channel = c1
a1.sinks.k1.path = s3://logs/crash/%Y%m%d
a1.sinks.k1.useLocalTimeStamp = true
a1.sinks.k1.fileType = CompressedStream
a1.sinks.k1.codeC = gzip
a1.sinks.k1.rollCount = 0
a1.sinks.k1.rollSize = 0
a1.sinks.k1.rollInterval = 0
a1.sinks.k1.batchSize = 1000
a1.sinks.k1.endpoint = {srv.endpoint}
a1.sinks.k1.pathStyleAccess = true
a1.sinks.k1.stagingDir = {srv.staging}
a1.sinks.k1.partSize = 5242880
""")
        log = open(os.path.join(srv.tmp, "agent.log"), "ab")
        agent = subprocess.Popen([SLUICE, "agent", "-n", "a1", "-f", conf], stdout=log, stderr=log, env=srv.env())
        for _ in range(200):
            try:
                sock = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                time.sleep(0.1)
        sock.sendall(b"".join(line + b"\n" for line in lines))
        deadline = time.time() + 60
        while time.time() < deadline and not staged_part_uploaded(srv.staging):
            time.sleep(0.05)
        c.check(staged_part_uploaded(srv.staging), "a multipart part was uploaded before the crash")
        agent.send_signal(signal.SIGKILL)
        agent.wait()
        sock.close()
        c.check(srv.keys("crash/") == {}, "no object visible before recovery")

        agent = subprocess.Popen([SLUICE, "agent", "-n", "a1", "-f", conf], stdout=log, stderr=log, env=srv.env())
        deadline = time.time() + 60
        while time.time() < deadline and not srv.keys("crash/"):
            time.sleep(0.2)
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=60)
        keys = sorted(srv.keys("crash/"))
        c.check(len(keys) == 1, f"the staged object was finished on restart ({keys})")
        try:
            got = gzip.decompress(srv.get(keys[0])).splitlines() if keys else []
            c.check(True, "the object is a complete gzip stream")
        except (EOFError, OSError) as e:
            got = []
            c.check(False, f"the object is a complete gzip stream ({e})")
        c.check(len(got) >= 1000, f"committed batches are there ({len(got)} lines)")
        c.check(got == lines[:len(got)], "an in-order prefix of the input: nothing twice, nothing torn")
        c.check(os.listdir(srv.staging) == [], "staging empty")
        ok = c.failed == 0
    finally:
        srv.stop(keep=not ok)
        if not ok:
            print("logs kept in", srv.tmp)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
