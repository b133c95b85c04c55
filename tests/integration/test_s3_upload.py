"""S3 multipart writer against a real s3rver on loopback: single PUT for small objects, multipart for
large ones (parallel parts), bytes compared through botocore; clear errors for a missing bucket."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from s3_test_support import S3rver, Checks, write_random  # noqa: E402

MiB = 1024 * 1024


def main():
    c = Checks()
    srv = S3rver()
    ok = False
    try:
        small = write_random(os.path.join(srv.tmp, "small"), 300_000, 1)
        p = srv.run_tool("put", os.path.join(srv.tmp, "small"), "app/2026/11/24/FlumeData.1.log",
                         "--chunk", "65536", "--content-type", "text/plain", "--meta", "origin=sluice-test")
        c.check("closed 300000 parts 0" in p.stdout, "small object written with a single PUT")
        c.check(srv.get("app/2026/11/24/FlumeData.1.log") == small, "single PUT: bytes equal")
        head = srv.s3.head_object(Bucket="logs", Key="app/2026/11/24/FlumeData.1.log")
        c.check(head["ContentType"] == "text/plain", "Content-Type kept")
        c.check(head["Metadata"].get("origin") == "sluice-test", "x-amz-meta-origin kept")

        big = write_random(os.path.join(srv.tmp, "big"), 17 * MiB + 12345, 2)
        key = "app/2026/11/24/big file \u00e9+x.log"
        p = srv.run_tool("put", os.path.join(srv.tmp, "big"), key, "--chunk", str(MiB), parallel=3)
        c.check("closed 17838137 parts 4" in p.stdout, "17 MiB object uploaded as 3 full parts + tail")
        obj = srv.keys("app/2026/11/24/big")
        c.check(obj.get(key, {}).get("Size") == len(big), "multipart object listed with the full size")
        c.check(srv.get(key) == big, "multipart: bytes equal")
        c.check(os.listdir(srv.staging) == [], "staging is empty after close")

        exact = write_random(os.path.join(srv.tmp, "exact"), 10 * MiB, 3)
        srv.run_tool("put", os.path.join(srv.tmp, "exact"), "exact.bin", "--chunk", str(MiB))
        c.check(srv.get("exact.bin") == exact, "object of exactly two parts: bytes equal")

        p = srv.run_tool("put", os.path.join(srv.tmp, "small"), "x.log", "--bucket", "no-such-bucket", check=False)
        c.check(p.returncode != 0 and "NoSuchBucket" in p.stderr, "missing bucket: clear NoSuchBucket error")
        p = srv.run_tool("head-bucket", "--bucket", "no-such-bucket", check=False)
        c.check(p.returncode != 0 and "404" in p.stderr, "HeadBucket on a missing bucket fails with 404")
        ok = True
    finally:
        srv.stop(keep=not ok)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
