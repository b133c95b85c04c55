#!/usr/bin/env bash
# http_poll against Python's http.server (Last-Modified, 304 on If-Modified-Since) serving a file
# that grows: http_poll -> memory -> file_roll. Lines appended while the agent runs, and while it
# is stopped, each arrive exactly once (the line cursor in stateFile survives the restart).
. "$(dirname "$0")/lib.sh"

www="$TEST_TMP/www"; out="$TEST_TMP/out"; mkdir -p "$www" "$out"
feed="$www/feed.txt"; : >"$feed"
port=$(free_port)
bg bash -c "exec $PY -m http.server $port --bind 127.0.0.1 --directory '$www' >/dev/null 2>'$TEST_TMP/http-server.log'"
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
a1.sources.r1.auth.tokenEnv = SLUICE_TEST_FEED_TOKEN
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
export SLUICE_TEST_FEED_TOKEN=feed-token-c0ffee   # http.server ignores it; it must not show anywhere
cc=$("$SLUICE_BIN" check-config -f "$conf" 2>&1) || fail "config rejected: $cc"
! grep -q c0ffee <<<"$cc" || fail "check-config shows the token"

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
! grep -q c0ffee "$TEST_TMP/agent-a1.log" "$TEST_TMP/state/r1.json" || fail "the token was written to the log or state"
pass "http_poll: appended lines exactly once, across a restart"

# HTTPS: a certificate for 127.0.0.1 from a throw-away CA. Trusted through caFile the feed is read;
# trusting only the system store, the other source gets a verification error and emits nothing.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TEST_TMP/key.pem" -out "$TEST_TMP/cert.pem" -days 2 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -addext basicConstraints=critical,CA:TRUE \
  >/dev/null 2>&1 || fail "openssl could not make a test certificate"
tls_port=$(free_port)
printf 'tls-1\ntls-2\n' >"$www/tls.txt"
printf 'untrusted-1\n' >"$www/untrusted.txt"
bg bash -c "exec $PY '$(dirname "$0")/../peers/https_file_server.py' $tls_port '$www' '$TEST_TMP/cert.pem' '$TEST_TMP/key.pem' \\
  >'$TEST_TMP/https-server.log' 2>&1"
wait_until 20 port_open "$tls_port" || fail "HTTPS server did not start"
out_tls="$TEST_TMP/out-tls"; mkdir -p "$out_tls"
cat >"$TEST_TMP/tls.properties" <<CONF
a2.sources = trusted untrusted
a2.channels = c1
a2.sinks = k1
a2.sources.trusted.type = http_poll
a2.sources.trusted.url = https://127.0.0.1:$tls_port/tls.txt
a2.sources.trusted.caFile = $TEST_TMP/cert.pem
a2.sources.trusted.interval = 0.2
a2.sources.trusted.stateFile = $TEST_TMP/state/trusted.json
a2.sources.trusted.channels = c1
a2.sources.untrusted.type = http_poll
a2.sources.untrusted.url = https://127.0.0.1:$tls_port/untrusted.txt
a2.sources.untrusted.interval = 0.2
a2.sources.untrusted.stateFile = $TEST_TMP/state/untrusted.json
a2.sources.untrusted.channels = c1
a2.channels.c1.type = memory
a2.sinks.k1.type = file_roll
a2.sinks.k1.channel = c1
a2.sinks.k1.sink.directory = $out_tls
a2.sinks.k1.sink.rollInterval = 0
CONF
start_agent a2 "$TEST_TMP/tls.properties"
tls_lines() { cat "$out_tls"/* 2>/dev/null | wc -l; }
wait_until 30 bash -c "[ \$(cat '$out_tls'/* 2>/dev/null | wc -l) -ge 2 ]" || fail "HTTPS feed not read: $(tls_lines) lines"
wait_until 30 grep -q "certificate verify failed" "$TEST_TMP/agent-a2.log" || fail "untrusted certificate not reported"
sleep 0.5
[ "$(cat "$out_tls"/* | sort | tr '\n' ' ')" = "tls-1 tls-2 " ] || fail "HTTPS output: $(cat "$out_tls"/*)"
stop_agent "$AGENT_PID"
pass "http_poll over HTTPS: verified with caFile, refused without"
