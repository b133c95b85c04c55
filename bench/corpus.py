#!/usr/bin/python3
"""Generates a realistic log corpus for benchmarks: Squid native access.log lines and RFC 5424 /
RFC 3164 syslog lines carrying them (~300 bytes each), with varied hosts, client IPs, URLs, status
codes and sizes; deterministic for a given seed. Timestamps spread over a few hours so hourly
partitioning produces several directories.

usage: corpus.py --kind squid|rfc5424|rfc3164 --count N [--seed S] [--start EPOCH] [--hours H] > out
"""
import argparse
import random
import sys
import time

WORDS = ("api static cdn img login account search news video mail auth update assets media shop pay "
         "docs wiki blog forum portal download upload track metrics beacon ads sync feed").split()
TLDS = ("com net org io de fr co.uk ru cn info biz xyz").split()
METHODS = ["GET"] * 12 + ["POST"] * 4 + ["CONNECT"] * 3 + ["HEAD", "PUT"]
CODES = ["TCP_MISS/200"] * 10 + ["TCP_HIT/200"] * 4 + ["TCP_TUNNEL/200"] * 3 + [
    "TCP_MISS/304", "TCP_DENIED/403", "TCP_MISS/404", "TCP_MISS/502", "TCP_REFRESH_MODIFIED/200"]
TYPES = ["text/html", "application/json", "image/png", "image/jpeg", "application/javascript", "text/css",
         "application/octet-stream", "-"]
USERS = ["-"] * 8 + ["alice", "bob", "svc-backup", "carol.d"]


def domain(r):
    parts = [r.choice(WORDS) for _ in range(r.randint(1, 3))]
    return ".".join(parts) + "%d" % r.randint(0, 999) + "." + r.choice(TLDS)


def squid_line(r, t):
    client = "10.%d.%d.%d" % (r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
    method = r.choice(METHODS)
    host = domain(r)
    if method == "CONNECT":
        url = "%s:443" % host
    else:
        path = "/".join(r.choice(WORDS) for _ in range(r.randint(1, 5)))
        query = "?id=%x&session=%016x&ref=%s" % (r.getrandbits(32), r.getrandbits(64), r.choice(WORDS))
        url = "http://%s/%s%s" % (host, path, query if r.random() < 0.6 else "")
    dest = "%d.%d.%d.%d" % (r.randint(1, 223), r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
    return "%.3f %6d %s %s %d %s %s %s HIER_DIRECT/%s %s" % (
        t, r.randint(1, 90000), client, r.choice(CODES), r.randint(200, 2000000), method, url, r.choice(USERS),
        dest, r.choice(TYPES))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=["squid", "rfc5424", "rfc3164"], default="squid")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--start", type=float, default=1763856000.0)  # 2025-11-23T00:00:00Z
    ap.add_argument("--hours", type=float, default=3.0)
    a = ap.parse_args()
    r = random.Random(a.seed)
    out = sys.stdout
    step = a.hours * 3600.0 / max(a.count, 1)
    hosts = ["proxy%02d.dc%d.example.net" % (i, i % 3) for i in range(1, 25)]
    buf = []
    for i in range(a.count):
        t = a.start + i * step
        line = squid_line(r, t)
        if a.kind == "rfc5424":
            ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)
            line = "<134>1 %s %s squid %d - - %s" % (ts, r.choice(hosts), r.randint(100, 65000), line)
        elif a.kind == "rfc3164":
            ts = time.strftime("%b %e %H:%M:%S", time.gmtime(t))
            line = "<134>%s %s squid[%d]: %s" % (ts, r.choice(hosts).split(".")[0], r.randint(100, 65000), line)
        buf.append(line)
        if len(buf) >= 10000:
            out.write("\n".join(buf) + "\n")
            buf = []
    if buf:
        out.write("\n".join(buf) + "\n")


if __name__ == "__main__":
    main()
