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
cat >"$TEST_TMP/remote.properties" <<CONF
ra.sources = r1
ra.channels = c1
ra.sinks = k1
ra.sources.r1.type = TAILDIR
ra.sources.r1.filegroups = f
ra.sources.r1.filegroups.f = $TEST_TMP/logs/app\\.log
ra.sources.r1.positionFile = $TEST_TMP/positions.json
ra.sources.r1.writePosInterval = 0
ra.sources.r1.batchSize = 500
ra.sources.r1.channels = c1
ra.channels.c1.type = file
ra.channels.c1.dataDirs = $TEST_TMP/ra-data
ra.channels.c1.checkpointDir = $TEST_TMP/ra-cp
ra.channels.c1.minimumRequiredSpace = 0
ra.channels.c1.capacity = 200000
ra.channels.c1.transactionCapacity = 1000
ra.sinks.k1.type = avro
ra.sinks.k1.channel = c1
ra.sinks.k1.hostname = 127.0.0.1
ra.sinks.k1.port = $port
ra.sinks.k1.batch-size = 500
ra.sinks.k1.connect-timeout = 2000
ra.sinks.k1.request-timeout = 3000
CONF
cat >"$TEST_TMP/agg.properties" <<CONF
agg.sources = r1
agg.channels = c1
agg.sinks = k1
agg.sources.r1.type = avro
agg.sources.r1.bind = 127.0.0.1
agg.sources.r1.port = $port
agg.sources.r1.channels = c1
agg.channels.c1.type = file
agg.channels.c1.dataDirs = $TEST_TMP/agg-data
agg.channels.c1.checkpointDir = $TEST_TMP/agg-cp
agg.channels.c1.minimumRequiredSpace = 0
agg.channels.c1.capacity = 200000
agg.channels.c1.transactionCapacity = 1000
agg.sinks.k1.type = hdfs
agg.sinks.k1.channel = c1
agg.sinks.k1.hdfs.path = $TEST_TMP/out
agg.sinks.k1.hdfs.fileType = DataStream
agg.sinks.k1.hdfs.rollCount = 20000
agg.sinks.k1.hdfs.rollSize = 0
agg.sinks.k1.hdfs.rollInterval = 0
agg.sinks.k1.hdfs.batchSize = 500
CONF
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
