#!/usr/bin/python3
"""count_numbered.py OUTDIR N LABEL [--max-copies K]: counts the lines `seq-<i> <120 chars>` that
tests/peers/numbered_writer.py wrote, as found in the files of OUTDIR; prints lost and duplicated
counts and fails (exit 1) if any of 0..N-1 is missing or, with --max-copies, appears more often."""
import collections
import glob
import sys


def main(argv):
    out, want, label = argv[1], int(argv[2]), argv[3]
    max_copies = int(argv[argv.index("--max-copies") + 1]) if "--max-copies" in argv else None
    seen = collections.Counter()
    for p in glob.glob(out + "/*"):
        for line in open(p, errors="replace"):
            parts = line.split()
            if len(parts) == 2 and parts[0].startswith("seq-") and len(parts[1]) == 120:
                seen[int(parts[0][4:])] += 1
    lost = [i for i in range(want) if seen[i] == 0]
    dup = sum(1 for c in seen.values() if c > 1)
    worst = max(seen.values()) if seen else 0
    print("%s: %d lines, lost %d, duplicated %d, most copies of one line %d" % (label, want, len(lost), dup, worst))
    if lost:
        print("lost: %s" % lost[:10], file=sys.stderr)
        return 1
    if max_copies is not None and worst > max_copies:
        print("a line was delivered %d times (at most %d expected)" % (worst, max_copies), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
