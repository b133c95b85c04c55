#!/usr/bin/env bash
# `make bench`: the side-by-side run (sluice, rsyslog, syslog-ng) on a 5 M event corpus, writing
# bench/results/side-by-side.md and PNG charts in bench/results/. BENCH_EVENTS overrides the size.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
/usr/bin/python3 bench/harness.py --events "${BENCH_EVENTS:-5000000}" \
  --results bench/results/side-by-side.md --charts bench/results "$@"
