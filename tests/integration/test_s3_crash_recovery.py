"""kill -9 of a process streaming an object through the S3 multipart writer, then recover():
the object in S3 is exactly a prefix of the input that covers every byte the writer reported as
flushed (nothing lost, nothing twice); staging is empty afterwards. Checked twice: killed after some
parts were uploaded (multipart continued) and killed before the first part (small object, PUT)."""
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from s3_test_support import S3rver, Checks, write_random  # noqa: E402

MiB = 1024 * 1024
CHUNK = 700_000  # not a divisor of the part size, so parts and flushes do not line up


def crash_and_recover(c, srv, name, data_path, data, kill_after):
    args = srv.tool_args("put", data_path, name, "--chunk", str(CHUNK), "--sleep-ms", "30")
    p = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=srv.env())
    last_flushed = 0
    for line in p.stdout:
        if line.startswith("flushed "):
            last_flushed = int(line.split()[1])
            if last_flushed >= kill_after:
                break
    p.send_signal(signal.SIGKILL)
    p.wait()
    c.check(0 < last_flushed < len(data), f"{name}: killed mid-upload after {last_flushed} flushed bytes")
    c.check(name not in srv.keys(), f"{name}: no half object visible before recovery")
    r = srv.run_tool("recover")
    c.check(f"recovered {name}" in r.stdout, f"{name}: recover() finished it")
    got = srv.get(name)
    c.check(len(got) >= last_flushed, f"{name}: every flushed byte is there ({len(got)} >= {last_flushed})")
    c.check(got == data[:len(got)], f"{name}: object is an exact prefix of the input (no duplicates)")
    c.check(len(got) % CHUNK == 0 or len(got) == len(data), f"{name}: object ends on a flush boundary")
    c.check(os.listdir(srv.staging) == [], f"{name}: staging empty after recovery")


def main():
    c = Checks()
    srv = S3rver()
    ok = False
    try:
        path = os.path.join(srv.tmp, "input")
        data = write_random(path, 30 * MiB, 7)
        crash_and_recover(c, srv, "crash/multipart.bin", path, data, kill_after=13 * MiB)
        crash_and_recover(c, srv, "crash/small.bin", path, data, kill_after=2 * MiB)
        r = srv.run_tool("recover")
        c.check(r.stdout == "", "a second recover() has nothing to do")
        ok = True
    finally:
        srv.stop(keep=not ok)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
