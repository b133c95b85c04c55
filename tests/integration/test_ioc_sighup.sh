#!/usr/bin/env bash
# SIGHUP re-reads the IOC sweeper's feeds through the binary: with reloadInterval = 0 nothing polls
# them, the configuration itself does not change (so the source and its sweeper keep running), and
# still an indicator added to the feed tags the events that follow the signal, while the events
# before it stay untagged. A SIGHUP with an invalid configuration keeps the pipeline and re-reads
# the feeds too.
. "$(dirname "$0")/lib.sh"
mkdir -p "$TEST_TMP/logs" "$TEST_TMP/out"
feed="$TEST_TMP/feed.txt"
echo "old.example" >"$feed"
conf="$TEST_TMP/a.properties"
{ conf_agent a r c k; conf_taildir a r c "$TEST_TMP/logs/access\\.log"; conf_memory_channel a c 10000
  conf_file_roll_sink a k c "$TEST_TMP/out"
  echo "a.sinks.k.sink.serializer = header_and_text"
  printf '%s\n' "a.sources.r.interceptors = ioc" "a.sources.r.interceptors.ioc.type = ioc_sweeper" \
    "a.sources.r.interceptors.ioc.feeds = f" "a.sources.r.interceptors.ioc.feeds.f.path = $feed" \
    "a.sources.r.interceptors.ioc.reloadInterval = 0" "a.sources.r.interceptors.ioc.dedup.window = 0"
} >"$conf"
port=$(free_port)
log="$TEST_TMP/logs/access.log"
echo "1 GET http://new.example/ before" >"$log"
start_agent a "$conf" --metrics-port "$port" --no-reload-conf
out_has() { grep -q -- "$1" "$TEST_TMP"/out/* 2>/dev/null; }
wait_until 30 out_has "before" || fail "first event not delivered"
out_has "ioc.match=true" && fail "new.example tagged before it was in the feed"

echo "new.example" >>"$feed"
kill -HUP "$AGENT_PID"
wait_until 30 metric_at_least "$port" INTERCEPTOR.ioc Reloads 2 || fail "SIGHUP did not reload the feed"
grep -q "SIGHUP: re-reading the feeds" "$TEST_TMP/agent-a.log" || fail "no log line for the SIGHUP re-read"
echo "2 GET http://new.example/ after" >>"$log"
wait_until 30 out_has "after" || fail "second event not delivered"
grep -q "ioc.value=new.example.*after" "$TEST_TMP"/out/* || fail "new.example not tagged after SIGHUP: $(cat "$TEST_TMP"/out/*)"
grep "before" "$TEST_TMP"/out/* | grep -q "ioc.match" && fail "the event before the SIGHUP changed"

# An invalid configuration: refused, the pipeline keeps running, the feeds are re-read anyway.
cp "$conf" "$TEST_TMP/good.properties"
echo "a.channels.c.capacity = many" >>"$conf"
echo "third.example" >>"$feed"
kill -HUP "$AGENT_PID"
wait_until 30 metric_at_least "$port" INTERCEPTOR.ioc Reloads 3 || fail "SIGHUP with a refused config did not reload the feed"
grep -q "new configuration is invalid" "$TEST_TMP/agent-a.log" || fail "invalid configuration not reported"
echo "3 GET http://third.example/ third" >>"$log"
wait_until 30 out_has "third" || fail "third event not delivered"
grep -q "ioc.value=third.example.*third" "$TEST_TMP"/out/* || fail "third.example not tagged: $(cat "$TEST_TMP"/out/*)"
[ "$(agent_metric "$port" INTERCEPTOR.ioc ReloadFailures)" -eq 0 ] || fail "a feed reload failed"
stop_agent "$AGENT_PID"
pass "ioc sweeper feeds re-read on SIGHUP"
