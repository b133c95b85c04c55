#!/usr/bin/env bash
# The IOC sweeper end to end through the binary: a generated Squid corpus with planted hits,
# near-miss decoys and allowlisted values is tailed, swept, and routed by the multiplexing selector
# (ioc.match=true -> alerts + data, else data). Checks 100 % recall and 0 false positives against
# the generator's answers, and that every event still reaches the data path.
. "$(dirname "$0")/lib.sh"
gen="$(dirname "$0")/../ioc_corpus.py"
$PY "$gen" "$TEST_TMP/c" 20000 --indicators 2000
mkdir -p "$TEST_TMP/logs" "$TEST_TMP/data" "$TEST_TMP/alerts"
cat >"$TEST_TMP/sweep.properties" <<CONF
s.sources = squid
s.channels = data alerts
s.sinks = data alerts
s.sources.squid.type = TAILDIR
s.sources.squid.filegroups = a
s.sources.squid.filegroups.a = $TEST_TMP/logs/access\\.log
s.sources.squid.positionFile = $TEST_TMP/pos.json
s.sources.squid.batchSize = 500
s.sources.squid.channels = data alerts
s.sources.squid.interceptors = ioc
s.sources.squid.interceptors.ioc.type = ioc_sweeper
s.sources.squid.interceptors.ioc.feeds = gen
s.sources.squid.interceptors.ioc.feeds.gen.path = $TEST_TMP/c/feed.txt
s.sources.squid.interceptors.ioc.allowlist.path = $TEST_TMP/c/allow.txt
s.sources.squid.interceptors.ioc.mode = squid
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
s.sinks.data.sink.directory = $TEST_TMP/data
s.sinks.data.sink.rollInterval = 0
s.sinks.alerts.type = file_roll
s.sinks.alerts.channel = alerts
s.sinks.alerts.sink.directory = $TEST_TMP/alerts
s.sinks.alerts.sink.rollInterval = 0
s.sinks.alerts.sink.serializer = header_and_text
CONF
cp "$TEST_TMP/c/corpus.log" "$TEST_TMP/logs/access.log"
port=$(free_port)
start_agent s "$TEST_TMP/sweep.properties" --metrics-port "$port"
all_data() { [ "$(cat "$TEST_TMP"/data/* 2>/dev/null | wc -l)" -ge 20000 ]; }
wait_until 60 all_data || fail "data path got $(cat "$TEST_TMP"/data/* | wc -l) of 20000"
sleep 0.5
json=$(curl -sf "http://127.0.0.1:$port/metrics")
stop_agent "$AGENT_PID"
grep -q '"INTERCEPTOR.ioc"' <<<"$json" || fail "no INTERCEPTOR.ioc metrics"
$PY - "$TEST_TMP" <<'PY' || fail "accuracy check failed"
import glob, json, sys
d = sys.argv[1]
expected = json.load(open(d + "/c/expected.json"))
corpus = open(d + "/c/corpus.log").read().splitlines()
want = {line: set(e) for line, e in zip(corpus, expected)}
data = [l for p in glob.glob(d + "/data/*") for l in open(p).read().splitlines()]
assert sorted(data) == sorted(corpus), "the data path lost or changed events"
got = {}
for p in glob.glob(d + "/alerts/*"):
    for line in open(p).read().splitlines():
        hdr, body = line.split("} ", 1)
        h = dict(kv.split("=", 1) for kv in hdr[1:].split(", "))
        got[body] = set(h["ioc.value"].split(","))
planted = {l for l, e in want.items() if e}
tp = sum(1 for l in planted if l in got and want[l] <= got[l])
fp = [l for l in got if not want.get(l)]
print("planted %d, found %d, false positives %d" % (len(planted), tp, len(fp)))
assert tp == len(planted), "recall below 100%%: missed %s" % [l for l in planted if l not in got][:3]
assert not fp, "false positives: %s" % fp[:3]
PY
pass "ioc sweep"
