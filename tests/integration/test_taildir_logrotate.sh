#!/usr/bin/env bash
# TAILDIR against real logrotate: a writer appends numbered lines at ~50k lines/s while logrotate
# rotates every half second (once with `create`, once with `copytruncate`), and sluice is restarted
# gracefully half way. Every line that exists in any file on disk must be delivered exactly once.
# (With copytruncate, logrotate itself destroys the lines written between its copy and its
# truncate; those are counted and reported separately: no shipper can deliver them.)
. "$(dirname "$0")/lib.sh"
command -v logrotate >/dev/null || fail "logrotate is not installed"
peers="$(dirname "$0")/../peers"
N=${TAILDIR_LINES:-1000000}  # the issue asks for 1 M lines; about 45 s
# A rotation every half second; in a build SLUICE_TEST_TIME_SCALE times slower, that many times
# less often. With copytruncate, an agent that does not get to the file between two rotations can
# miss a truncation (the file grew back past its position) and lose lines: under ASan on a loaded
# machine that pace, not a sanitizer report, failed this test (31500 lines lost).
rotate_every=$($PY -c "print(0.5 * $TIME_SCALE)")

run_mode() {
  local mode=$1 dir="$TEST_TMP/$1"
  mkdir -p "$dir/logs" "$dir/out"
  : >"$dir/logs/access.log"
  cat >"$dir/logrotate.conf" <<CONF
$dir/logs/access.log {
  rotate 10000
  missingok
  nocompress
  $mode
}
CONF
  cat >"$dir/agent.properties" <<CONF
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = TAILDIR
a1.sources.r1.filegroups = f1
a1.sources.r1.filegroups.f1 = $dir/logs/access\\.log
a1.sources.r1.positionFile = $dir/positions.json
a1.sources.r1.batchSize = 1000
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = $dir/out
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = 1000
CONF
  start_agent a1 "$dir/agent.properties"
  local agent=$AGENT_PID
  $PY "$peers/numbered_writer.py" "$dir/logs/access.log" "$N" 50000 &
  local writer=$!
  local i=0 restarted=0
  while kill -0 "$writer" 2>/dev/null; do
    sleep "$rotate_every"
    logrotate -f -s "$dir/state" "$dir/logrotate.conf" 2>>"$dir/logrotate.err" || true
    i=$((i + 1))
    if [ $restarted -eq 0 ] && [ $i -ge 3 ]; then
      stop_agent "$agent"            # graceful restart in the middle of the stream
      start_agent a1 "$dir/agent.properties"
      agent=$AGENT_PID
      restarted=1
    fi
  done
  wait "$writer"
  # Let the agent catch up with everything on disk, then stop it.
  ondisk() { cat "$dir"/logs/access.log* | grep -c '^seq-'; }
  delivered() { cat "$dir"/out/* 2>/dev/null | grep -c '^seq-' || true; }
  caught_up() { [ "$(delivered)" -ge "$(ondisk)" ]; }
  wait_until 60 caught_up || true
  stop_agent "$agent"
  $PY - "$dir" "$N" "$mode" <<'PY'
import glob, os, sys
d, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def nums(paths):
    out = []
    for p in paths:
        for line in open(p, errors="replace"):
            if line.startswith("seq-"):
                out.append(int(line.split()[0][4:]))
    return out
disk = set(nums(glob.glob(d + "/logs/access.log*")))
got = nums(glob.glob(d + "/out/*"))
seen = set(got)
dups = len(got) - len(seen)
lost = len(disk - seen)
destroyed = n - len(disk)
rotations = len(glob.glob(d + "/logs/access.log.*"))
print("%s: %d lines written, %d rotations, %d on disk, %d delivered, lost %d, duplicated %d, destroyed by logrotate %d"
      % (mode, n, rotations, len(disk), len(got), lost, dups, destroyed))
assert rotations >= 3, "logrotate did not rotate"
assert lost == 0, "lines on disk that were not delivered: %s" % sorted(disk - seen)[:10]
assert dups == 0, "duplicated lines"
if mode == "create":
    assert destroyed == 0, "create mode must keep every line on disk"
PY
}
run_mode create
run_mode copytruncate
pass "taildir with logrotate"
