# Shared helpers for integration tests (bash). Source it: . "$(dirname "$0")/lib.sh"
# Every test starts its own peers on loopback on free ports and stops them on exit.
set -euo pipefail
SLUICE_BIN=${SLUICE_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/sluice}
PY=/usr/bin/python3   # Debian's python3-* modules live here, not in the python3 first on PATH
TEST_TMP=$(mktemp -d "/tmp/sluice-test.XXXXXX")
_pids=()

cleanup() {
  local rc=$?
  for p in "${_pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${_pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  if [ $rc -ne 0 ]; then
    echo "--- test failed (rc=$rc); logs in $TEST_TMP:"; for f in "$TEST_TMP"/*.log; do [ -f "$f" ] && { echo "== $f"; tail -40 "$f"; }; done
  else
    rm -rf "$TEST_TMP"
  fi
  exit $rc
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "PASS: $*"; }

# A TCP port nobody listens on now.
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Deadlines are multiplied by SLUICE_TEST_TIME_SCALE (a whole number, default 1): the sanitizer
# builds run 3-5x slower and set it (Makefile SAN_ENV). It only lengthens waits for a condition.
TIME_SCALE=${SLUICE_TEST_TIME_SCALE:-1}

# wait_until TIMEOUT_SECONDS CMD...: retries CMD every 0.1 s until it succeeds or the (scaled)
# deadline passes.
wait_until() {
  local t=$1; shift
  local end=$((SECONDS + t * TIME_SCALE))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.1
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# agent_metric PORT COMPONENT KEY: one value of an agent's Flume-style /metrics JSON (agent started
# with --metrics-port PORT), e.g. agent_metric 9100 SOURCE.r1 EventAcceptedCount; 0 while absent.
agent_metric() {
  curl -s --max-time 5 "http://127.0.0.1:$1/metrics" 2>/dev/null |
    $PY -c "import json,sys
try: print(int(json.load(sys.stdin).get(sys.argv[1], {}).get(sys.argv[2], 0)))
except ValueError: print(0)" "$2" "$3"
}
# metric_at_least PORT COMPONENT KEY N: succeeds once that metric is >= N (for wait_until).
metric_at_least() { [ "$(agent_metric "$1" "$2" "$3")" -ge "$4" ]; }

# start_agent NAME CONF [extra args...]: runs sluice agent in the background, log in $TEST_TMP/agent-NAME.log.
# Sets AGENT_PID.
start_agent() {
  local name=$1 conf=$2; shift 2
  "$SLUICE_BIN" agent -n "$name" -f "$conf" "$@" >"$TEST_TMP/agent-$name.log" 2>&1 &
  AGENT_PID=$!
  _pids+=("$AGENT_PID")
}

# stop_agent PID: SIGTERM and wait (graceful: sinks drain).
stop_agent() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# bg CMD...: runs a peer in the background, stopped on exit. Sets BG_PID.
bg() {
  "$@" &
  BG_PID=$!
  _pids+=("$BG_PID")
}

# Config blocks for the agents tests start, printed on stdout. A test groups the blocks it needs and
# adds its own keys as plain lines:
#   { conf_agent a1 r1 c1 k1; conf_taildir a1 r1 c1 "$TEST_TMP/logs/app\\.log"
#     echo "a1.sources.r1.writePosInterval = 0"; ...; } >"$TEST_TMP/a1.properties"
conf_agent() {  # AGENT SOURCES CHANNELS SINKS
  printf '%s.sources = %s\n%s.channels = %s\n%s.sinks = %s\n' "$1" "$2" "$1" "$3" "$1" "$4"
}
conf_taildir() {  # AGENT SOURCE CHANNEL FILE_REGEX: one file group, positions in $TEST_TMP/positions.json
  local p="$1.sources.$2"
  printf '%s\n' "$p.type = TAILDIR" "$p.filegroups = f" "$p.filegroups.f = $4" \
    "$p.positionFile = $TEST_TMP/positions.json" "$p.batchSize = 500" "$p.channels = $3"
}
conf_avro_source() {  # AGENT SOURCE CHANNEL PORT
  local p="$1.sources.$2"
  printf '%s\n' "$p.type = avro" "$p.bind = 127.0.0.1" "$p.port = $4" "$p.channels = $3"
}
conf_memory_channel() {  # AGENT CHANNEL CAPACITY
  local p="$1.channels.$2"
  printf '%s\n' "$p.type = memory" "$p.capacity = $3" "$p.transactionCapacity = 1000"
}
conf_file_channel() {  # AGENT CHANNEL DATA_DIRS CHECKPOINT_DIR
  local p="$1.channels.$2"
  printf '%s\n' "$p.type = file" "$p.dataDirs = $3" "$p.checkpointDir = $4" "$p.minimumRequiredSpace = 0" \
    "$p.capacity = 200000" "$p.transactionCapacity = 1000"
}
conf_avro_sink() {  # AGENT SINK CHANNEL PORT
  local p="$1.sinks.$2"
  printf '%s\n' "$p.type = avro" "$p.channel = $3" "$p.hostname = 127.0.0.1" "$p.port = $4" "$p.batch-size = 500"
}
conf_hdfs_local_sink() {  # AGENT SINK CHANNEL DIR: plain text files of 20000 events in DIR
  local p="$1.sinks.$2"
  printf '%s\n' "$p.type = hdfs" "$p.channel = $3" "$p.hdfs.path = $4" "$p.hdfs.fileType = DataStream" \
    "$p.hdfs.rollCount = 20000" "$p.hdfs.rollSize = 0" "$p.hdfs.rollInterval = 0" "$p.hdfs.batchSize = 500"
}
conf_file_roll_sink() {  # AGENT SINK CHANNEL DIR: one file in DIR, never rolled by time
  local p="$1.sinks.$2"
  printf '%s\n' "$p.type = file_roll" "$p.channel = $3" "$p.sink.directory = $4" "$p.sink.rollInterval = 0"
}
