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

# hup_tags VALUE RELOADS WHY: VALUE is added to the feed and the agent gets SIGHUP; the feeds must
# have been loaded RELOADS times, and an event for VALUE appended after that must arrive tagged.
hup_tags() {
  echo "$1" >>"$feed"
  kill -HUP "$AGENT_PID"
  wait_until 30 metric_at_least "$port" INTERCEPTOR.ioc Reloads "$2" || fail "$3: SIGHUP did not reload the feed"
  echo "$2 GET http://$1/ marker$2" >>"$log"
  wait_until 30 out_has "marker$2" || fail "$3: event after the SIGHUP not delivered"
  grep -q "ioc.value=$1.*marker$2" "$TEST_TMP"/out/* || fail "$3: $1 not tagged after SIGHUP: $(cat "$TEST_TMP"/out/*)"
}
hup_tags new.example 2 "unchanged configuration"
grep -q "SIGHUP: re-reading the feeds" "$TEST_TMP/agent-a.log" || fail "no log line for the SIGHUP re-read"
grep "before" "$TEST_TMP"/out/* | grep -q "ioc.match" && fail "the event before the SIGHUP changed"

# An invalid configuration: refused, the pipeline keeps running, the feeds are re-read anyway.
echo "a.channels.c.capacity = many" >>"$conf"
hup_tags third.example 3 "refused configuration"
grep -q "new configuration is invalid" "$TEST_TMP/agent-a.log" || fail "invalid configuration not reported"
[ "$(agent_metric "$port" INTERCEPTOR.ioc ReloadFailures)" -eq 0 ] || fail "a feed reload failed"
stop_agent "$AGENT_PID"
pass "ioc sweeper feeds re-read on SIGHUP"
