#!/usr/bin/env bash
# The IOC sweeper end to end through the binary: a generated Squid corpus with planted hits,
# near-miss decoys and allowlisted values is tailed, swept, and routed by the multiplexing selector
# (ioc.match=true -> alerts + data, else data). Checks 100 % recall and 0 false positives against
# the generator's answers, and that every event still reaches the data path. Run in both ways of
# finding candidates: squid field mode and body mode (the token scan over the whole line).
. "$(dirname "$0")/lib.sh"
gen="$(dirname "$0")/../ioc_corpus.py"
$PY "$gen" "$TEST_TMP/c" 20000 --indicators 2000

# sweep MODE: the whole run with the sweeper in that mode; agent s, files under $TEST_TMP/MODE.
sweep() {
local mode=$1 T="$TEST_TMP/$1"
mkdir -p "$T/logs" "$T/data" "$T/alerts"
cat >"$T/sweep.properties" <<CONF
s.sources = squid
s.channels = data alerts
s.sinks = data alerts
s.sources.squid.type = TAILDIR
s.sources.squid.filegroups = a
s.sources.squid.filegroups.a = $T/logs/access\\.log
s.sources.squid.positionFile = $T/pos.json
s.sources.squid.batchSize = 500
s.sources.squid.channels = data alerts
s.sources.squid.interceptors = ioc
s.sources.squid.interceptors.ioc.type = ioc_sweeper
s.sources.squid.interceptors.ioc.feeds = gen
s.sources.squid.interceptors.ioc.feeds.gen.path = $TEST_TMP/c/feed.txt
s.sources.squid.interceptors.ioc.allowlist.path = $TEST_TMP/c/allow.txt
s.sources.squid.interceptors.ioc.mode = $mode
s.sources.squid.interceptors.ioc.dedup.window = 0
s.sources.squid.selector.type = multiplexing
s.sources.squid.selector.header = ioc.match
s.sources.squid.selector.mapping.true = data alerts
s.sources.squid.selector.default = data
s.channels.data.type = memory
s.channels.data.capacity = 100000
s.channels.data.transactionCapacity = 1000
s.channels.alerts.type = memory
s.channels.alerts.capacity = 100000
s.channels.alerts.transactionCapacity = 1000
s.sinks.data.type = file_roll
s.sinks.data.channel = data
s.sinks.data.sink.directory = $T/data
s.sinks.data.sink.rollInterval = 0
s.sinks.alerts.type = file_roll
s.sinks.alerts.channel = alerts
s.sinks.alerts.sink.directory = $T/alerts
s.sinks.alerts.sink.rollInterval = 0
s.sinks.alerts.sink.serializer = header_and_text
CONF
cp "$TEST_TMP/c/corpus.log" "$T/logs/access.log"
port=$(free_port)
start_agent s "$T/sweep.properties" --metrics-port "$port"
all_data() { [ "$(cat "$T"/data/* 2>/dev/null | wc -l)" -ge 20000 ]; }
wait_until 60 all_data || fail "$mode: data path got $(cat "$T"/data/* | wc -l) of 20000"
sleep 0.5
json=$(curl -sf "http://127.0.0.1:$port/metrics")
prom=$(curl -sf "http://127.0.0.1:$port/prometheus")
stop_agent "$AGENT_PID"
grep -q '"INTERCEPTOR.ioc"' <<<"$json" || fail "$mode: no INTERCEPTOR.ioc metrics"
for m in indicators_by_feed hits_by_feed; do
  grep -Eq "^sluice_interceptor_${m}\{component=\"ioc\",feed=\"gen\",type=\"domain\"\} [1-9]" <<<"$prom" ||
    fail "$mode: no $m for feed gen, type domain in /prometheus"
done
$PY -c 'import json, sys
m = json.load(sys.stdin)["INTERCEPTOR.ioc"]
by_feed = sum(int(v) for k, v in m.items() if k.startswith("HitsByFeed.gen."))
assert by_feed == int(m["Hits"]) > 0, (by_feed, m["Hits"])
assert m["LastReloadSuccess"] == "1" and "FeedLoadMs.gen" in m, m' <<<"$json" || fail "$mode: per-feed metrics wrong"
$PY - "$TEST_TMP" "$T" "$mode" <<'PY' || fail "$mode: accuracy check failed"
import glob, json, sys
d, t, mode = sys.argv[1:4]
expected = json.load(open(d + "/c/expected.json"))
corpus = open(d + "/c/corpus.log").read().splitlines()
want = {line: set(e) for line, e in zip(corpus, expected)}
data = [l for p in glob.glob(t + "/data/*") for l in open(p).read().splitlines()]
assert sorted(data) == sorted(corpus), "the data path lost or changed events"
got = {}
for p in glob.glob(t + "/alerts/*"):
    for line in open(p).read().splitlines():
        hdr, body = line.split("} ", 1)
        h = dict(kv.split("=", 1) for kv in hdr[1:].split(", "))
        got[body] = set(h["ioc.value"].split(","))
planted = {l for l, e in want.items() if e}
tp = sum(1 for l in planted if l in got and want[l] <= got[l])
fp = [l for l in got if not want.get(l)]
print("%s mode: planted %d, found %d, false positives %d" % (mode, len(planted), tp, len(fp)))
assert tp == len(planted), "recall below 100%%: missed %s" % [l for l in planted if l not in got][:3]
assert not fp, "false positives: %s" % fp[:3]
PY
}

sweep squid
sweep body
pass "ioc sweep (squid and body mode)"
