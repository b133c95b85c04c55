#!/usr/bin/env bash
# Many concurrent keep-alive clients on the http source (bench/http_load, 32 connections) into a small
# memory channel (when it fills, 503s push back and the clients retry); every event answered 200 is delivered
# once (file_roll output counted per connection), none lost, none duplicated.
. "$(dirname "$0")/lib.sh"
LOAD="$(dirname "$SLUICE_BIN")/bench/http_load"
[ -x "$LOAD" ] || fail "bench/http_load is not built"
out="$TEST_TMP/out"; mkdir -p "$out"
port=$(free_port)
cat >"$TEST_TMP/a.properties" <<CONF
a.sources = h
a.channels = c
a.sinks = k
a.sources.h.type = http
a.sources.h.bind = 127.0.0.1
a.sources.h.port = $port
a.sources.h.threads = 8
a.sources.h.channels = c
a.channels.c.type = memory
a.channels.c.capacity = 2000
a.channels.c.transactionCapacity = 1000
a.sinks.k.type = file_roll
a.sinks.k.channel = c
a.sinks.k.sink.directory = $out
a.sinks.k.sink.rollInterval = 0
a.sinks.k.sink.batchSize = 1000
a.sinks.k.sink.serializer = header_and_text
CONF
start_agent a "$TEST_TMP/a.properties"
wait_until 20 port_open "$port" || fail "http source did not listen"
res=$("$LOAD" 127.0.0.1 "$port" 64000 32 100 120) || fail "load generator failed: $res"
echo "load: $res"
count() { cat "$out"/* 2>/dev/null | grep -c 'src=http_load' || true; }
all() { [ "$(count)" -ge 64000 ]; }
wait_until 30 all || fail "only $(count) of 64000 events delivered"
stop_agent "$AGENT_PID"
[ "$(count)" -eq 64000 ] || fail "$(count) events delivered, expected exactly 64000"
# Every request number 0..639 is there with its 100 events, once.
cat "$out"/* | grep -o 'req=REQ[0-9]*' | sort | uniq -c | awk '$1 != 100 {bad++} END {exit bad ? 1 : 0}' ||
  fail "a request's events are missing or duplicated"
[ "$(cat "$out"/* | grep -o 'req=REQ[0-9]*' | sort -u | wc -l)" -eq 640 ] || fail "not all 640 requests delivered"
[ "$(cat "$out"/* | grep -o 'conn=[0-9]*' | sort -u | wc -l)" -eq 32 ] || fail "not all 32 connections were served"
grep -q '"retries_503": [1-9]' <<<"$res" || echo "note: the channel never filled in this run"
pass "32 concurrent clients: 64000 events delivered once"
