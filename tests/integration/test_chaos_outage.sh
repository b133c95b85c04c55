#!/usr/bin/env bash
# Downstream outage: the aggregator is down for 30 s (SLUICE_OUTAGE_SECONDS) while the remote agent
# keeps tailing a file that grows at 4000 lines/s until 5 s after the outage. The remote's avro sink fails and backs off, its file channel fills (and would
# push back on TAILDIR if it filled up), and once the aggregator is back everything flows again
# without any operator action: every line arrives, and the remote's metrics show the failures.
. "$(dirname "$0")/lib.sh"
OUTAGE=${SLUICE_OUTAGE_SECONDS:-30}
RATE=4000
N=$(( (3 + OUTAGE + 5) * RATE ))
mkdir -p "$TEST_TMP/logs" "$TEST_TMP/out"
: >"$TEST_TMP/logs/app.log"
port=$(free_port); mport=$(free_port)
{ conf_agent ra r1 c1 k1
  conf_taildir ra r1 c1 "$TEST_TMP/logs/app\\.log"
  conf_file_channel ra c1 "$TEST_TMP/ra-data" "$TEST_TMP/ra-cp"
  conf_avro_sink ra k1 c1 "$port"
  echo "ra.sinks.k1.connect-timeout = 1000"
} >"$TEST_TMP/remote.properties"
{ conf_agent agg r1 c1 k1
  conf_avro_source agg r1 c1 "$port"
  conf_memory_channel agg c1 100000
  conf_file_roll_sink agg k1 c1 "$TEST_TMP/out"
  echo "agg.sinks.k1.sink.batchSize = 500"
} >"$TEST_TMP/agg.properties"
$PY "$(dirname "$0")/../peers/numbered_writer.py" "$TEST_TMP/logs/app.log" "$N" "$RATE" &
writer=$!
start_agent agg "$TEST_TMP/agg.properties"; agg=$AGENT_PID
start_agent ra "$TEST_TMP/remote.properties" --metrics-port "$mport"; remote=$AGENT_PID
sleep 3
stop_agent "$agg"            # the outage starts
sleep "$OUTAGE"
metric() { curl -s "http://127.0.0.1:$mport/metrics" | $PY -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]][sys.argv[2]])" "$1" "$2"; }
backlog=$(metric CHANNEL.c1 ChannelSize)
failed=$(metric SINK.k1 ConnectionFailedCount)
start_agent agg "$TEST_TMP/agg.properties"; agg=$AGENT_PID   # the outage ends
wait "$writer"
count() { cat "$TEST_TMP"/out/* 2>/dev/null | grep -c '^seq-' || true; }
caught_up() { [ "$(count)" -ge "$N" ]; }
wait_until 60 caught_up || true
stop_agent "$remote"; stop_agent "$agg"
echo "during the ${OUTAGE} s outage: remote channel backlog $backlog, failed connections $failed; delivered $(count) of $N"
[ "$backlog" -gt 10000 ] || fail "the remote channel did not hold the backlog during the outage ($backlog)"
[ "$failed" -gt 0 ] || fail "the sink's failures are not in the metrics"
$PY "$(dirname "$0")/../peers/count_numbered.py" "$TEST_TMP/out" "$N" "outage" || fail "lines lost across the outage"
pass "aggregator outage: backlog held, recovered without intervention, nothing lost"
