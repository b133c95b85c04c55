"""HTTPS with certificate verification: s3rver serves TLS with a certificate for 127.0.0.1 from a
throw-away CA. The upload succeeds when the tool trusts that CA and fails with a verification error
when it only trusts the system store (at once: a certificate error is not retried)."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from s3_test_support import S3rver, Checks, write_random  # noqa: E402


def make_cert(d):
    key, cert = os.path.join(d, "key.pem"), os.path.join(d, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-addext", "basicConstraints=critical,CA:TRUE"],
                   check=True, capture_output=True)
    return key, cert


def main():
    c = Checks()
    certdir = tempfile.mkdtemp(prefix="sluice-tls-")
    key, cert = make_cert(certdir)
    srv = S3rver(tls=(key, cert))
    ok = False
    try:
        data = write_random(os.path.join(srv.tmp, "in"), 100_000, 5)
        p = srv.run_tool("put", os.path.join(srv.tmp, "in"), "tls/obj.bin", "--ca-file", cert, check=False)
        c.check(p.returncode == 0, f"upload over HTTPS trusting the test CA ({p.stderr.strip()})")
        c.check(p.returncode == 0 and srv.get("tls/obj.bin") == data, "HTTPS: bytes equal")
        p = srv.run_tool("head-bucket", max_attempts=5, check=False)
        c.check(p.returncode != 0 and "certificate verify failed" in p.stderr and "gave up" not in p.stderr,
                f"untrusted certificate rejected ({p.stderr.strip()})")
        ok = True
    finally:
        srv.stop(keep=not ok)
        subprocess.run(["rm", "-rf", certdir])
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
