#!/usr/bin/env bash
# kill -9 at random moments, 20 rounds, while a writer appends numbered lines: TAILDIR -> durable
# file channel -> hdfs sink (local). After a final graceful run, every line written must be in the
# output (0 lost). Duplicates come only from batches a crash caught between a write and its commit
# (the source's batch before its position was saved, the sink's batch before its take committed):
# a line can be caught at most once per stage, so never more than 3 copies. Prints the counts.
# CHAOS_TWO_DATA_DIRS=1 spreads the file channel over two dataDirs; CHAOS_CHECKPOINT_MS sets its
# checkpointInterval (test_chaos_kill9_checkpoints.sh uses both).
. "$(dirname "$0")/lib.sh"
N=${CHAOS_LINES:-60000}
mkdir -p "$TEST_TMP/logs" "$TEST_TMP/out"
: >"$TEST_TMP/logs/app.log"
conf="$TEST_TMP/chaos.properties"
data_dirs="$TEST_TMP/fc-data"
[ -n "${CHAOS_TWO_DATA_DIRS:-}" ] && data_dirs="$TEST_TMP/fc-data,$TEST_TMP/fc-data2"
{ conf_agent a1 r1 c1 k1
  conf_taildir a1 r1 c1 "$TEST_TMP/logs/app\\.log"
  echo "a1.sources.r1.writePosInterval = 0"
  conf_file_channel a1 c1 "$data_dirs" "$TEST_TMP/fc-cp"
  echo "a1.channels.c1.checkpointInterval = ${CHAOS_CHECKPOINT_MS:-30000}"
  conf_hdfs_local_sink a1 k1 c1 "$TEST_TMP/out"
} >"$conf"
$PY "$(dirname "$0")/../peers/numbered_writer.py" "$TEST_TMP/logs/app.log" "$N" 12000 &
writer=$!
for round in $(seq 1 20); do
  start_agent a1 "$conf"
  # 0.2-0.4 s, times SLUICE_TEST_TIME_SCALE: a round must leave the agent time to commit something,
  # or one line is caught by several kills in a row (TSan, 0.2-0.4 s: a line delivered 4 times).
  t=$(( (RANDOM % 3 + 2) * TIME_SCALE ))
  sleep "$((t / 10)).$((t % 10))"
  kill -9 "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true
done
wait "$writer"
start_agent a1 "$conf" --metrics-port "$(free_port)"
caught_up() { [ "$(cat "$TEST_TMP"/out/* 2>/dev/null | grep -c '^seq-')" -ge "$N" ]; }
wait_until 60 caught_up || true
sleep 1
stop_agent "$AGENT_PID"
$PY "$(dirname "$0")/../peers/count_numbered.py" "$TEST_TMP/out" "$N" "kill -9 x20" --max-copies 3 ||
  fail "lost lines after kill -9, or a line delivered more than once per stage"
pass "chaos kill -9"
