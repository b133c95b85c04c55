#!/usr/bin/env bash
# Backpressure, not memory: a fast source (seq, no limit) into a memory channel whose sink can never
# deliver (an avro sink to a port nobody listens on). The channel fills to its capacity, the source is
# refused (ChannelWriteFail counts up), nothing is dropped silently, and the agent's RSS stops growing.
. "$(dirname "$0")/lib.sh"
mport=$(free_port); dead=$(free_port)
cat >"$TEST_TMP/a.properties" <<CONF
a.sources = r
a.channels = c
a.sinks = k
a.sources.r.type = seq
a.sources.r.batchSize = 1000
a.sources.r.channels = c
a.channels.c.type = memory
a.channels.c.capacity = 50000
a.channels.c.transactionCapacity = 1000
a.sinks.k.type = avro
a.sinks.k.channel = c
a.sinks.k.hostname = 127.0.0.1
a.sinks.k.port = $dead
a.sinks.k.connect-timeout = 200
CONF
start_agent a "$TEST_TMP/a.properties" --metrics-port "$mport"
metric() { curl -s "http://127.0.0.1:$mport/metrics" | $PY -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]][sys.argv[2]])" "$1" "$2"; }
full() { [ "$(metric CHANNEL.c ChannelSize)" = 50000 ]; }
wait_until 20 full || fail "channel did not fill: $(metric CHANNEL.c ChannelSize)"
rss() { awk '/VmRSS/ {print $2}' "/proc/$AGENT_PID/status"; }
r1=$(rss); sleep 3; r2=$(rss); sleep 3; r3=$(rss)
fails=$(metric SOURCE.r ChannelWriteFail)
size=$(metric CHANNEL.c ChannelSize)
accepted=$(metric SOURCE.r EventAcceptedCount)
stop_agent "$AGENT_PID"
echo "RSS kB after filling: $r1, +3 s: $r2, +6 s: $r3; ChannelWriteFail=$fails ChannelSize=$size EventAccepted=$accepted"
[ "$size" -eq 50000 ] || fail "channel size $size, expected its capacity 50000"
[ "$fails" -gt 0 ] || fail "the source was never refused"
[ "$accepted" -eq 50000 ] || fail "accepted $accepted events but the channel holds 50000: something was lost or dropped"
[ "$r3" -lt 200000 ] || fail "RSS $r3 kB: not bounded"
[ $((r3 - r1)) -lt 5000 ] || fail "RSS still growing while blocked: $r1 -> $r3 kB"
pass "full memory channel: bounded RSS, source refused, nothing dropped"
