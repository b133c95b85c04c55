#!/usr/bin/env bash
# kill -9 at random moments during Avro forwarding, both tiers durable: remote agent (TAILDIR ->
# file channel -> avro sink) -> aggregator (avro source -> file channel -> hdfs sink, local). Ten
# rounds kill the aggregator (the remote's sink gets no answer or a broken connection and must
# resend), ten kill the remote agent. Then both run gracefully to the end: every line written must be
# in the aggregator's output (0 lost); copies only from batches a crash caught between a write and
# its commit. Prints lost and duplicated counts.
. "$(dirname "$0")/lib.sh"
N=${CHAOS_LINES:-40000}
mkdir -p "$TEST_TMP/logs" "$TEST_TMP/out"
: >"$TEST_TMP/logs/app.log"
port=$(free_port)
{ conf_agent ra r1 c1 k1
  conf_taildir ra r1 c1 "$TEST_TMP/logs/app\\.log"
  echo "ra.sources.r1.writePosInterval = 0"
  conf_file_channel ra c1 "$TEST_TMP/ra-data" "$TEST_TMP/ra-cp"
  conf_avro_sink ra k1 c1 "$port"
  printf '%s\n' "ra.sinks.k1.connect-timeout = 2000" "ra.sinks.k1.request-timeout = 3000"
} >"$TEST_TMP/remote.properties"
{ conf_agent agg r1 c1 k1
  conf_avro_source agg r1 c1 "$port"
  conf_file_channel agg c1 "$TEST_TMP/agg-data" "$TEST_TMP/agg-cp"
  conf_hdfs_local_sink agg k1 c1 "$TEST_TMP/out"
} >"$TEST_TMP/agg.properties"
$PY "$(dirname "$0")/../peers/numbered_writer.py" "$TEST_TMP/logs/app.log" "$N" 8000 &
writer=$!
start_agent ra "$TEST_TMP/remote.properties"; remote=$AGENT_PID
for round in $(seq 1 10); do  # the aggregator dies
  start_agent agg "$TEST_TMP/agg.properties"
  sleep "0.$(( (RANDOM % 4) + 2 ))"
  kill -9 "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true
done
start_agent agg "$TEST_TMP/agg.properties"; agg=$AGENT_PID
for round in $(seq 1 10); do  # the remote agent dies
  sleep "0.$(( (RANDOM % 4) + 2 ))"
  kill -9 "$remote"; wait "$remote" 2>/dev/null || true
  start_agent ra "$TEST_TMP/remote.properties"; remote=$AGENT_PID
done
wait "$writer"
caught_up() { [ "$(cat "$TEST_TMP"/out/* 2>/dev/null | grep -c '^seq-')" -ge "$N" ]; }
wait_until 90 caught_up || true
sleep 1
stop_agent "$remote"
stop_agent "$agg"
$PY "$(dirname "$0")/../peers/count_numbered.py" "$TEST_TMP/out" "$N" "avro tiers, kill -9 x20" ||
  fail "lost lines after kill -9 of either Avro tier"
pass "chaos kill -9 across Avro tiers"
