#!/usr/bin/python3
"""Generates an IOC accuracy corpus: a feed of indicators, an allowlist, and Squid access-log lines
with planted hits, near-miss decoys (notevil.com vs evil.com, 1.2.3.40 vs 1.2.3.4, hash prefixes,
evil.com.example.org, defanged feed entries) and allowlisted values, plus the expected answer per
line: the set of indicator values that must be reported (empty for clean and decoy lines).

usage: ioc_corpus.py OUTDIR LINES [--indicators N] [--seed S]
writes OUTDIR/feed.txt, OUTDIR/allow.txt, OUTDIR/corpus.log, OUTDIR/expected.json
"""
import json
import os
import random
import sys


def main():
    out, lines = sys.argv[1], int(sys.argv[2])
    n_ind = int(sys.argv[sys.argv.index("--indicators") + 1]) if "--indicators" in sys.argv else 2000
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 7
    r = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    bad_domains = ["evil%d.com" % i for i in range(n_ind // 4)]
    bad_ips = ["198.51.%d.%d" % (i // 250, i % 250 + 1) for i in range(n_ind // 4)]
    bad_hashes = ["%032x" % r.getrandbits(128) for _ in range(n_ind // 4)]
    bad_nets = ["203.0.%d.0/24" % i for i in range(min(50, n_ind // 8))]
    allow = ["evil0.com", bad_ips[0]]
    with open(os.path.join(out, "feed.txt"), "w") as f:
        f.write("# generated feed\n")
        for i, d in enumerate(bad_domains):
            f.write((d.replace(".", "[.]") if i % 3 == 0 else d) + "\n")  # some defanged
        for ip in bad_ips:
            f.write(ip + "\n")
        for h in bad_hashes:
            f.write(h.upper() + "\n")
        for n in bad_nets:
            f.write(n + "\n")
    with open(os.path.join(out, "allow.txt"), "w") as f:
        f.write("\n".join(allow) + "\n")
    expected = []
    with open(os.path.join(out, "corpus.log"), "w") as f:
        for i in range(lines):
            client = "10.%d.%d.%d" % (r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
            host, dest, extra, want = "www.example%d.net" % r.randint(0, 999), "93.184.%d.%d" % (r.randint(0, 255), r.randint(1, 254)), "", []
            kind = r.random()
            if kind < 0.05:  # planted domain hit, as a subdomain
                d = r.choice(bad_domains[1:])
                host = "cdn.%s" % d
                want.append(d)
            elif kind < 0.08:  # planted IP hit as the destination
                dest = r.choice(bad_ips[1:])
                want.append(dest)
            elif kind < 0.10:  # planted hash in the URL
                h = r.choice(bad_hashes)
                extra = "?sha=%s" % h
                want.append(h)
            elif kind < 0.12:  # destination inside a bad /24
                n = r.choice(bad_nets)
                dest = n.replace(".0/24", ".%d" % r.randint(1, 254))
                want.append(n)
            elif kind < 0.20:  # decoys that must not match
                decoy = r.choice(["not" + r.choice(bad_domains), r.choice(bad_domains) + ".example.org",
                                  r.choice(bad_ips) + "0", "x" + r.choice(bad_domains)])
                if decoy[0].isdigit():
                    ok = all(int(p) < 256 for p in decoy.split(".")) and decoy not in bad_ips
                    dest = decoy if ok else dest
                else:
                    host = decoy
                extra = "?h=%s" % r.choice(bad_hashes)[:31]  # a hash prefix
            elif kind < 0.23:  # allowlisted values: never an alert
                host = "api." + allow[0] if r.random() < 0.5 else host
                dest = allow[1] if host == "api." + allow[0] else allow[1]
            url = "http://%s/path/%d%s" % (host, i, extra)
            f.write("%.3f %6d %s TCP_MISS/200 %d GET %s - HIER_DIRECT/%s text/html\n"
                    % (1763856000 + i * 0.01, r.randint(1, 9999), client, r.randint(100, 99999), url, dest))
            expected.append(sorted(set(want)))
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main()
