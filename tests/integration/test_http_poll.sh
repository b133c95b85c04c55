#!/usr/bin/env bash
# http_poll against Python's http.server (Last-Modified, 304 on If-Modified-Since) serving a file
# that grows: http_poll -> memory -> file_roll. Lines appended while the agent runs, and while it
# is stopped, each arrive exactly once (the line cursor in stateFile survives the restart).
. "$(dirname "$0")/lib.sh"

www="$TEST_TMP/www"; out="$TEST_TMP/out"; mkdir -p "$www" "$out"
feed="$www/feed.txt"; : >"$feed"
port=$(free_port)
bg bash -c "exec $PY -m http.server $port --bind 127.0.0.1 --directory '$www' 2>'$TEST_TMP/http-server.log'"
wait_until 20 port_open "$port" || fail "http.server did not start"

conf="$TEST_TMP/a.properties"
cat >"$conf" <<CONF
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = http_poll
a1.sources.r1.url = http://127.0.0.1:$port/feed.txt
a1.sources.r1.interval = 0.2
a1.sources.r1.stateFile = $TEST_TMP/state/r1.json
a1.sources.r1.batchSize = 7
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 100
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = $out
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.batchSize = 100
CONF
"$SLUICE_BIN" check-config -f "$conf" >/dev/null || fail "config rejected"

# append FROM TO: one write per line (append-only feed), with pauses so polls fall in between.
append() { for i in $(seq "$1" "$2"); do echo "indicator-$i" >>"$feed"; [ $((i % 5)) -eq 0 ] && sleep 0.07; done; true; }
lines() { cat "$out"/* 2>/dev/null | wc -l; }
at_least() { [ "$(lines)" -ge "$1" ]; }
exactly_once() {  # exactly_once N: indicator-1..N each once, nothing else
  diff <(cat "$out"/* | sort) <(seq 1 "$1" | sed 's/^/indicator-/' | sort) >/dev/null
}

start_agent a1 "$conf"
append 1 150
wait_until 30 at_least 150 || fail "only $(lines) of 150 lines arrived"
sleep 1  # further polls (304 or the same file) must not repeat anything
exactly_once 150 || fail "lines 1..150 not delivered exactly once: $(lines) lines"
grep -q '"linesOffset"' "$TEST_TMP/state/r1.json" || fail "no state file written"

stop_agent "$AGENT_PID"
append 151 220   # while the agent is down
start_agent a1 "$conf"
append 221 260
wait_until 30 at_least 260 || fail "only $(lines) of 260 lines arrived after the restart"
sleep 1
exactly_once 260 || fail "lines 1..260 not delivered exactly once across the restart: $(lines) lines"
# Polls of the unchanged file were conditional and answered 304 by http.server.
grep -q '"GET /feed.txt HTTP/1.1" 304' "$TEST_TMP/http-server.log" || fail "no 304 answered: conditional requests not sent"
stop_agent "$AGENT_PID"
grep -q "agent a1 stopped" "$TEST_TMP/agent-a1.log" || fail "no graceful stop"
pass "http_poll: appended lines exactly once, across a restart"
