#!/usr/bin/env bash
# Flume's Avro RPC against an independent peer (python3-avro's IPC with Netty framing, in
# tests/peers/avro_peer.py): Python client -> sluice avro source, sluice avro sink -> Python server,
# with and without deflate; binary bodies and headers arrive intact. Then two sluice tiers with a
# failover sink group: the preferred aggregator is killed and restarted mid-stream; nothing is lost.
. "$(dirname "$0")/lib.sh"
peer="$(dirname "$0")/../peers/avro_peer.py"

# 1. Python client -> sluice source -> file_roll (header_and_text).
for mode in none deflate; do
  port=$(free_port); out="$TEST_TMP/in-$mode"; mkdir -p "$out"
  cat >"$TEST_TMP/agg-$mode.properties" <<CONF
agg.sources = r1
agg.channels = c1
agg.sinks = k1
agg.sources.r1.type = avro
agg.sources.r1.bind = 127.0.0.1
agg.sources.r1.port = $port
agg.sources.r1.compression-type = $mode
agg.sources.r1.channels = c1
agg.channels.c1.type = memory
agg.channels.c1.capacity = 10000
agg.channels.c1.transactionCapacity = 1000
agg.sinks.k1.type = file_roll
agg.sinks.k1.channel = c1
agg.sinks.k1.sink.directory = $out
agg.sinks.k1.sink.rollInterval = 0
agg.sinks.k1.sink.serializer = header_and_text
CONF
  start_agent agg "$TEST_TMP/agg-$mode.properties"
  wait_until 20 port_open "$port" || fail "avro source did not listen"
  flag=""; [ $mode = deflate ] && flag=--deflate
  timeout 60 $PY "$peer" client 127.0.0.1 "$port" 1000 $flag --batch 100 || fail "python client failed ($mode)"
  stop_agent "$AGENT_PID"
  n=$(cat "$out"/* | grep -c 'peer=python-avro')
  [ "$n" -eq 1000 ] || fail "$mode: $n of 1000 events from the python client"
  grep -q "{seq=999, peer=python-avro} event-999 " "$out"/* || fail "$mode: headers/body not intact"
done

# 2. sluice avro sink -> Python server, with and without deflate.
for mode in none deflate; do
  port=$(free_port); got="$TEST_TMP/py-$mode.jsonl"
  flag=""; [ $mode = deflate ] && flag=--deflate
  bg $PY "$peer" server "$port" "$got" $flag
  pyserver=$BG_PID
  wait_until 20 port_open "$port" || fail "python server did not listen"
  cat >"$TEST_TMP/remote-$mode.properties" <<CONF
ra.sources = r1
ra.channels = c1
ra.sinks = k1
ra.sources.r1.type = seq
ra.sources.r1.totalEvents = 2000
ra.sources.r1.batchSize = 100
ra.sources.r1.channels = c1
ra.sources.r1.interceptors = s
ra.sources.r1.interceptors.s.type = static
ra.sources.r1.interceptors.s.key = tier
ra.sources.r1.interceptors.s.value = remote
ra.channels.c1.type = memory
ra.channels.c1.capacity = 10000
ra.sinks.k1.type = avro
ra.sinks.k1.channel = c1
ra.sinks.k1.hostname = 127.0.0.1
ra.sinks.k1.port = $port
ra.sinks.k1.batch-size = 100
ra.sinks.k1.compression-type = $mode
CONF
  start_agent ra "$TEST_TMP/remote-$mode.properties"
  count() { [ -f "$got" ] && wc -l <"$got" || echo 0; }
  enough() { [ "$(count)" -ge 2000 ]; }
  wait_until 30 enough || fail "$mode: python server received $(count) of 2000"
  stop_agent "$AGENT_PID"
  kill "$pyserver"
  $PY - "$got" <<'PY' || fail "python server saw wrong events"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
bodies = sorted(int(bytes.fromhex(r["body"]).decode()) for r in rows)
assert bodies == list(range(2000)), "bodies are not 0..1999 exactly once"
assert all(r["headers"].get("tier") == "remote" for r in rows), "header lost"
PY
done

# 3. Remote agent (TAILDIR of a log written at 5000 lines/s) -> failover group of two avro sinks.
# The preferred aggregator is stopped mid-stream and started again: the backup takes over, the
# preferred one gets the traffic back, and every line arrives.
p1=$(free_port); p2=$(free_port); out1="$TEST_TMP/agg1"; out2="$TEST_TMP/agg2"; mkdir -p "$out1" "$out2" "$TEST_TMP/logs"
for i in 1 2; do
  p=$p1; o=$out1; [ $i = 2 ] && { p=$p2; o=$out2; }
  { conf_agent agg r1 c1 k1
    conf_avro_source agg r1 c1 "$p"
    conf_memory_channel agg c1 100000
    conf_file_roll_sink agg k1 c1 "$o"
  } >"$TEST_TMP/agg$i.properties"
done
: >"$TEST_TMP/logs/app.log"
{ conf_agent ra r1 c1 "k1 k2"
  echo "ra.sinkgroups = g1"
  conf_taildir ra r1 c1 "$TEST_TMP/logs/app\\.log"
  conf_memory_channel ra c1 100000
  conf_avro_sink ra k1 c1 "$p1"
  echo "ra.sinks.k1.request-timeout = 2000"
  conf_avro_sink ra k2 c1 "$p2"
  cat <<CONF
ra.sinkgroups.g1.sinks = k1 k2
ra.sinkgroups.g1.processor.type = failover
ra.sinkgroups.g1.processor.priority.k1 = 10
ra.sinkgroups.g1.processor.priority.k2 = 5
ra.sinkgroups.g1.processor.maxpenalty = 2000
CONF
} >"$TEST_TMP/remote.properties"
"$SLUICE_BIN" agent -n agg -f "$TEST_TMP/agg1.properties" >"$TEST_TMP/agg1.log" 2>&1 & a1=$!; _pids+=($a1)
"$SLUICE_BIN" agent -n agg -f "$TEST_TMP/agg2.properties" >"$TEST_TMP/agg2.log" 2>&1 & a2=$!; _pids+=($a2)
wait_until 20 port_open "$p1" && wait_until 20 port_open "$p2" || fail "aggregators did not listen"
start_agent ra "$TEST_TMP/remote.properties"
N=40000
$PY "$(dirname "$0")/../peers/numbered_writer.py" "$TEST_TMP/logs/app.log" $N 5000 &
writer=$!
lines() { cat "$@" 2>/dev/null | wc -l; }
sleep 2
stop_agent "$a1"            # the preferred aggregator goes away (graceful: what it acknowledged is written)
mv "$out1" "$out1.first"; mkdir -p "$out1"
sleep 2
"$SLUICE_BIN" agent -n agg -f "$TEST_TMP/agg1.properties" >"$TEST_TMP/agg1b.log" 2>&1 & a1=$!; _pids+=($a1)
wait "$writer"
all() { cat "$out1.first"/* "$out1"/* "$out2"/* 2>/dev/null; }
done_all() { [ "$(all | sort -u | wc -l)" -ge $N ]; }
wait_until 60 done_all || fail "only $(all | sort -u | wc -l) of $N lines delivered"
stop_agent "$AGENT_PID"; stop_agent "$a1"; stop_agent "$a2"
first=$(lines "$out1.first"/*); back=$(lines "$out2"/*); again=$(lines "$out1"/*)
echo "failover: preferred took $first, backup took $back while it was down, preferred took $again after it came back"
[ "$back" -gt 0 ] || fail "the backup aggregator took nothing while the preferred one was down"
[ "$again" -gt 0 ] || fail "traffic did not come back to the preferred aggregator"
diff <(all | awk '{print substr($1,5)}' | sort -n | uniq) <(seq 0 $((N - 1))) >/dev/null || fail "lines lost"

# 4. The same with a load_balance group (round_robin, backoff): both aggregators share the stream; one
# goes away, the other takes everything; it comes back and gets traffic again; nothing is lost.
rm -rf "$out1" "$out1.first" "$out2" "$TEST_TMP/positions.json"; mkdir -p "$out1" "$out2"
: >"$TEST_TMP/logs/app.log"
sed -i '/processor\./d' "$TEST_TMP/remote.properties"
cat >>"$TEST_TMP/remote.properties" <<CONF
ra.sinkgroups.g1.processor.type = load_balance
ra.sinkgroups.g1.processor.selector = round_robin
ra.sinkgroups.g1.processor.backoff = true
ra.sinkgroups.g1.processor.selector.maxTimeOut = 2000
CONF
"$SLUICE_BIN" agent -n agg -f "$TEST_TMP/agg1.properties" >"$TEST_TMP/agg1c.log" 2>&1 & a1=$!; _pids+=($a1)
"$SLUICE_BIN" agent -n agg -f "$TEST_TMP/agg2.properties" >"$TEST_TMP/agg2c.log" 2>&1 & a2=$!; _pids+=($a2)
wait_until 20 port_open "$p1" && wait_until 20 port_open "$p2" || fail "aggregators did not listen"
start_agent ra "$TEST_TMP/remote.properties"
$PY "$(dirname "$0")/../peers/numbered_writer.py" "$TEST_TMP/logs/app.log" $N 5000 &
writer=$!
sleep 2
stop_agent "$a1"
mv "$out1" "$out1.first"; mkdir -p "$out1"
mark=$(lines "$out2"/*)
sleep 2
alone=$(( $(lines "$out2"/*) - mark ))
"$SLUICE_BIN" agent -n agg -f "$TEST_TMP/agg1.properties" >"$TEST_TMP/agg1d.log" 2>&1 & a1=$!; _pids+=($a1)
wait "$writer"
wait_until 60 done_all || fail "load_balance: only $(all | sort -u | wc -l) of $N lines delivered"
stop_agent "$AGENT_PID"; stop_agent "$a1"; stop_agent "$a2"
first=$(lines "$out1.first"/*); again=$(lines "$out1"/*)
echo "load_balance: aggregator 1 took $first, then aggregator 2 alone took $alone in 2 s, aggregator 1 took $again after it came back"
[ "$first" -gt 0 ] || fail "round_robin did not use the first aggregator"
[ "$alone" -gt 0 ] || fail "the remaining aggregator took nothing while the other was down"
[ "$again" -gt 0 ] || fail "traffic did not come back to the returning aggregator"
diff <(all | awk '{print substr($1,5)}' | sort -n | uniq) <(seq 0 $((N - 1))) >/dev/null || fail "load_balance: lines lost"
pass "avro interop, failover and load_balance"
