"""SigV4: sluice's signer (tests/peers/sigv4_sign) and botocore's S3SigV4Auth sign the same S3
requests with the same credentials and date; the Authorization headers must be equal."""
import datetime
import os
import subprocess
import sys
import tempfile
import types
from urllib.parse import quote

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

BUILD = os.environ.get("SLUICE_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
PEER = os.path.join(BUILD, "tests", "sigv4_sign")
DATE = datetime.datetime(2026, 11, 24, 10, 15, 30)
AMZ_DATE = DATE.strftime("%Y%m%dT%H%M%SZ")
AK, SK, TOKEN = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "FwoGZXIvYXdzEXAMPLETOKEN//+="


class FixedClock(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return DATE


botocore.auth.datetime = types.SimpleNamespace(datetime=FixedClock)

CASES = [
    # name, scheme, host, raw path, query pairs, extra headers, body, region, token, unsigned
    ("put-object-path-style", "http", "127.0.0.1:4568", "/logs/2026/11/24/FlumeData.1764000000000.gz", [],
     {"Content-Type": "application/gzip", "Content-Encoding": "gzip", "x-amz-storage-class": "STANDARD_IA"},
     b"\x1f\x8b" + os.urandom(3000), "us-east-1", None, False),
    ("upload-part-query", "https", "logs.s3.eu-west-1.amazonaws.com", "/prefix/big object.bin",
     [("partNumber", "7"), ("uploadId", "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA+/=")],
     {}, os.urandom(10000), "eu-west-1", None, False),
    ("unicode-and-spaces", "https", "s3.us-west-2.amazonaws.com", "/my-bucket/d\u00e9j\u00e0 vu/\u65e5\u672c (1)+x=y&z.txt",
     [], {"x-amz-meta-origin": "  host   a  ", "x-amz-server-side-encryption": "aws:kms",
          "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-west-2:111122223333:key/abcd"},
     b"hello", "us-west-2", TOKEN, False),
    ("unsigned-payload-virtual-host", "https", "bucket.s3.amazonaws.com", "/a/b c", [],
     {"x-amz-acl": "bucket-owner-full-control"}, b"x" * 100, "us-east-1", None, True),
    ("create-multipart-empty-value", "http", "127.0.0.1:9000", "/bucket/key", [("uploads", "")], {}, b"",
     "us-east-1", TOKEN, False),
    ("list-objects-v2", "https", "bucket.s3.ap-south-1.amazonaws.com", "/",
     [("list-type", "2"), ("prefix", "logs/2026 11/"), ("continuation-token", "1/abc+def=="), ("max-keys", "1000")],
     {}, b"", "ap-south-1", None, False),
]


def botocore_auth(scheme, host, path, query, headers, body, region, token, unsigned):
    url = f"{scheme}://{host}{quote(path, safe='/~')}"
    req = AWSRequest(method="PUT" if body else "GET", url=url, headers=dict(headers), data=body,
                     params=query or None)
    req.headers["host"] = host
    if unsigned:
        req.context["client_config"] = types.SimpleNamespace(s3={"payload_signing_enabled": False})
    creds = Credentials(AK, SK, token)
    botocore.auth.S3SigV4Auth(creds, "s3", region).add_auth(req)
    return req.headers["Authorization"]


def sluice_auth(tmp, scheme, host, path, query, headers, body, region, token, unsigned):
    body_file = os.path.join(tmp, "body")
    with open(body_file, "wb") as f:
        f.write(body)
    args = [PEER, "--method", "PUT" if body else "GET", "--host", host, "--path", path, "--body-file", body_file,
            "--date", AMZ_DATE, "--region", region, "--access-key", AK, "--secret-key", SK]
    for k, v in query:
        args += ["--query", f"{k}={v}"]
    for k, v in headers.items():
        args += ["--header", f"{k}:{v}"]
    if token:
        args += ["--token", token]
    if unsigned:
        args += ["--unsigned"]
    out = subprocess.run(args, check=True, capture_output=True).stdout.decode()
    return out.split("\n", 1)[0]


def main():
    if not os.path.exists(PEER):
        print(f"FAIL: {PEER} not built")
        return 1
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, scheme, host, path, query, headers, body, region, token, unsigned in CASES:
            ours = sluice_auth(tmp, scheme, host, path, query, headers, body, region, token, unsigned)
            theirs = botocore_auth(scheme, host, path, query, headers, body, region, token, unsigned)
            if ours == theirs:
                print(f"PASS: {name}")
            else:
                failed += 1
                print(f"FAIL: {name}\n  sluice:   {ours}\n  botocore: {theirs}")
    print(f"{len(CASES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
