#!/usr/bin/env bash
# The parse interceptor end to end through the binary: Squid lines, good and malformed, sent to a
# netcat source, parsed (output json, schema, timestampField) and routed on parse.status by the
# multiplexing selector: good events to an hdfs sink partitioned %{event_type}/dt=%Y-%m-%d with the
# json serializer, the rest to a file_roll error directory (header_and_text). Checks that every
# input line is in exactly one output, good ones with the right fields in the right day directory,
# bad ones untouched with their exact reason, and the interceptor's counters.
. "$(dirname "$0")/lib.sh"
port=$(free_port)
mport=$(free_port)
mkdir -p "$TEST_TMP/lake" "$TEST_TMP/errors"
conf="$TEST_TMP/parse.properties"
cat >"$conf" <<CONF
n.sources = r1
n.channels = good bad
n.sinks = lake errors
n.sources.r1.type = netcat
n.sources.r1.bind = 127.0.0.1
n.sources.r1.port = $port
n.sources.r1.max-line-length = 65536
n.sources.r1.ack-every-event = false
n.sources.r1.channels = good bad
n.sources.r1.interceptors = p
n.sources.r1.interceptors.p.type = parse
n.sources.r1.interceptors.p.format = squid
n.sources.r1.interceptors.p.output = json
n.sources.r1.interceptors.p.eventType = squid_access
n.sources.r1.interceptors.p.maxBodyBytes = 2048
n.sources.r1.interceptors.p.schema.required = time client status url
n.sources.r1.interceptors.p.schema.types.time = epoch
n.sources.r1.interceptors.p.schema.types.client = ip
n.sources.r1.interceptors.p.schema.types.status = int
n.sources.r1.interceptors.p.schema.types.bytes = int
n.sources.r1.interceptors.p.timestampField = time
n.sources.r1.selector.type = multiplexing
n.sources.r1.selector.header = parse.status
n.sources.r1.selector.mapping.ok = good
n.sources.r1.selector.default = bad
n.channels.good.type = memory
n.channels.good.capacity = 100000
n.channels.good.transactionCapacity = 1000
n.channels.bad.type = memory
n.channels.bad.capacity = 100000
n.channels.bad.transactionCapacity = 1000
n.sinks.lake.type = hdfs
n.sinks.lake.channel = good
n.sinks.lake.hdfs.path = $TEST_TMP/lake/%{event_type}/dt=%Y-%m-%d
n.sinks.lake.hdfs.timeZone = UTC
n.sinks.lake.hdfs.fileType = DataStream
n.sinks.lake.hdfs.fileSuffix = .json
n.sinks.lake.serializer = json
n.sinks.lake.hdfs.rollInterval = 0
n.sinks.lake.hdfs.rollSize = 0
n.sinks.lake.hdfs.rollCount = 0
n.sinks.lake.hdfs.batchSize = 100
n.sinks.errors.type = file_roll
n.sinks.errors.channel = bad
n.sinks.errors.sink.directory = $TEST_TMP/errors
n.sinks.errors.sink.rollInterval = 0
n.sinks.errors.sink.serializer = header_and_text
CONF
"$SLUICE_BIN" check-config -f "$conf" -n n --strict >/dev/null || fail "test config rejected"

# The corpus and the expected outcome of each line (id -> "ok" or the reason).
$PY - "$TEST_TMP" <<'PY'
import json, sys
d = sys.argv[1]
lines, expect = [], {}
day1, day2 = 1763596800, 1763683200  # 2025-11-20 and 2025-11-21 00:00 UTC
for i in range(2000):
    t = (day1 if i % 2 else day2) + i * 7
    url = "http://example.com/item?id=%d" % i
    line = "%d.%03d %6d 10.0.%d.%d TCP_MISS/200 %d GET %s - HIER_DIRECT/93.184.216.34 text/html" % (
        t, i % 1000, i % 500, i // 256 % 256, i % 256, 1000 + i, url)
    kind = i % 10
    if kind == 1:
        line, why = "garbage id=%d here" % i, "squid: 3 fields, expected 10"
    elif kind == 3:
        line, why = line.replace("TCP_MISS/200", "TCP_MISS/abc"), "field status: 'abc' is not an int"
    elif kind == 5:
        line = line.replace("10.0.", "host-%d." % i, 1)
        why = "field client: '%s' is not an ip" % line.split()[2]
    elif kind == 7:
        line = line.replace(url, url + "&pad=" + "x" * 3000)
        why = "body of %d bytes exceeds maxBodyBytes 2048" % len(line)
    else:
        why = "ok"
    if kind == 9:
        line = line.replace("id=%d" % i, "id=%d&q=caf\\xe9\\xff" % i)  # marker, made invalid UTF-8 below
    lines.append(line)
    expect[i] = {"why": why, "t": t}
with open(d + "/corpus.log", "wb") as f:
    for l in lines:
        f.write(l.encode().replace(b"\\xe9\\xff", b"\xe9\xff") + b"\n")
json.dump(expect, open(d + "/expect.json", "w"))
PY

start_agent n "$conf" --metrics-port "$mport"
wait_until 20 port_open "$port" || fail "netcat source did not listen"
$PY -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$port)); s.sendall(open(sys.argv[1],'rb').read()); s.close()" "$TEST_TMP/corpus.log"
count() { cat $(find "$TEST_TMP/$1" -type f) 2>/dev/null | wc -l; }
arrived() { [ "$(count lake)" -ge 1200 ] && [ "$(count errors)" -ge 800 ]; }
wait_until 60 arrived || fail "only $(count lake) good and $(count errors) error events arrived"
json=$(curl -sf "http://127.0.0.1:$mport/metrics")
stop_agent "$AGENT_PID"
echo "$json" | $PY -c '
import json, sys
m = json.load(sys.stdin)["INTERCEPTOR.p"]
want = {"EventsReceived": "2000", "EventsParsed": "1200", "ParseErrors": "200", "SchemaBadValue": "400",
        "SchemaMissingField": "0", "OversizedBodies": "200"}
bad = {k: (m.get(k), v) for k, v in want.items() if m.get(k) != v}
assert not bad, "counters (got, want): %s" % bad
' || fail "interceptor counters"

$PY - "$TEST_TMP" <<'PY' || fail "output check"
import glob, json, os, re, sys, time
d = sys.argv[1]
expect = {int(k): v for k, v in json.load(open(d + "/expect.json")).items()}
corpus = open(d + "/corpus.log", "rb").read().split(b"\n")[:-1]
seen = {}
files = glob.glob(d + "/lake/**/*", recursive=True)
assert not [f for f in files if f.endswith(".tmp")], "in-use files left"
for f in (f for f in files if os.path.isfile(f)):
    part = os.path.relpath(os.path.dirname(f), d + "/lake")
    for raw in open(f, "rb").read().splitlines():
        o = json.loads(raw)
        h, body = o["headers"], json.loads(o["body"])
        i = int(re.search(r"id=(\d+)", body["url"]).group(1))
        seen[i] = seen.get(i, 0) + 1
        e = expect[i]
        assert e["why"] == "ok", "line %d should have failed (%s) but is in the lake" % (i, e["why"])
        assert h["parse.status"] == "ok" and h["event_type"] == "squid_access", h
        day = time.strftime("%Y-%m-%d", time.gmtime(e["t"]))
        assert part == "squid_access/dt=" + day, "line %d in %s, expected day %s" % (i, part, day)
        assert body["status"] == 200 and body["bytes"] == 1000 + i, body
        assert body["client"] == "10.0.%d.%d" % (i // 256 % 256, i % 256) and body["method"] == "GET", body
        assert abs(body["time"] - (e["t"] + i % 1000 / 1000)) < 1e-6 and body["code"] == "TCP_MISS", body  # epoch: a number
        if i % 10 == 9:
            assert "caf\ufffd\ufffd" in body["url"], body["url"]  # invalid UTF-8 replaced, JSON valid
for f in glob.glob(d + "/errors/*"):
    for raw in open(f, "rb").read().splitlines():
        i = int(re.search(rb"id=(\d+)", raw).group(1))
        seen[i] = seen.get(i, 0) + 1
        e = expect[i]
        assert e["why"] != "ok", "good line %d went to the error path: %r" % (i, raw[:200])
        assert raw.endswith(b"} " + corpus[i]), "line %d not kept untouched: %r" % (i, raw[:200])
        head = raw[: len(raw) - len(corpus[i]) - 1].decode()
        assert "parse.status=error" in head and "parse.error=" + e["why"] in head, (i, head, e["why"])
missing = [i for i in expect if i not in seen]
twice = [i for i, n in seen.items() if n != 1]
assert not missing, "lines in no output: %s" % missing[:10]
assert not twice, "lines in more than one place: %s" % twice[:10]
print("2000 lines: %d in the lake, %d on the error path, each exactly once" %
      (sum(1 for v in expect.values() if v["why"] == "ok"), sum(1 for v in expect.values() if v["why"] != "ok")))
PY
pass "parse error path"
