"""Shared helpers for the S3 integration tests: start/stop s3rver, run the upload tool, read objects
back independently with botocore."""
import os
import shutil
import subprocess
import tempfile

import botocore.session
from botocore.config import Config

SRC = os.environ.get("SLUICE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../.."))
BUILD = os.environ.get("SLUICE_BUILD_DIR", os.path.join(SRC, "build"))
TOOL = os.path.join(BUILD, "tests", "s3_upload_tool")
BUCKET = "logs"
ACCESS, SECRET = "S3RVER", "S3RVER"  # s3rver's built-in account


class S3rver:
    def __init__(self, tls=None):
        """tls: (key_path, cert_path) to serve HTTPS."""
        self.tmp = tempfile.mkdtemp(prefix="sluice-s3-")
        out = subprocess.run([os.path.join(SRC, "tests/peers/start_s3rver.sh"), os.path.join(self.tmp, "data"),
                              BUCKET, os.path.join(self.tmp, "s3rver.log"), *(tls or ())],
                             check=True, capture_output=True, text=True).stdout.split()
        self.port, self.pid = int(out[0]), int(out[1])
        self.endpoint = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.staging = os.path.join(self.tmp, "staging")
        session = botocore.session.get_session()
        self.s3 = session.create_client("s3", region_name="us-east-1", endpoint_url=self.endpoint,
                                        aws_access_key_id=ACCESS, aws_secret_access_key=SECRET,
                                        config=Config(s3={"addressing_style": "path"}),
                                        verify=tls[1] if tls else None)

    def stop(self, keep=False):
        try:
            os.kill(self.pid, 15)
        except ProcessLookupError:
            pass
        if not keep:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def tool_args(self, *args, part_size=5 * 1024 * 1024, parallel=2, max_attempts=3):
        # Later options win, so the test's own args go last.
        return [TOOL, args[0], "--endpoint", self.endpoint, "--bucket", BUCKET, "--staging", self.staging,
                "--path-style", "--part-size", str(part_size), "--parallel", str(parallel),
                "--max-attempts", str(max_attempts), *args[1:]]

    def env(self, **extra):
        e = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS, AWS_SECRET_ACCESS_KEY=SECRET,
                 AWS_SHARED_CREDENTIALS_FILE="/nonexistent", AWS_EC2_METADATA_DISABLED="true")
        e.update(extra)
        return e

    def run_tool(self, *args, check=True, env=None, **kw):
        p = subprocess.run(self.tool_args(*args, **kw), capture_output=True, text=True, env=env or self.env())
        if check and p.returncode != 0:
            raise AssertionError(f"s3_upload_tool {args} failed: {p.stderr}")
        return p

    def keys(self, prefix=""):
        out = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return {o["Key"]: o for o in out.get("Contents", [])}

    def get(self, key):
        return self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def write_random(path, size, seed):
    import random
    r = random.Random(seed)
    with open(path, "wb") as f:
        f.write(r.randbytes(size))
    with open(path, "rb") as f:
        return f.read()


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
            print(f"PASS: {what}")
        else:
            self.failed += 1
            print(f"FAIL: {what}")

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0
