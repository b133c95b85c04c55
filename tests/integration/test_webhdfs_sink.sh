#!/usr/bin/env bash
# The hdfs sink writing through WebHDFS to an emulator of the WebHDFS REST API (tests/peers/
# webhdfs_emulator.py: two-step CREATE/APPEND with 307 redirects, RENAME, RemoteException errors).
# No HDFS can be installed here; this checks the protocol, not a real namenode.
# Checks: gzip date-partitioned files with Flume's names appear after rename and decompress to the
# input; an injected run of 503s is retried without loss; a 403 path is a clear error that keeps the
# events in the channel.
. "$(dirname "$0")/lib.sh"
emu="$(dirname "$0")/../peers/webhdfs_emulator.py"
port=$(free_port)
root="$TEST_TMP/hdfsroot"
bg $PY "$emu" "$port" "$root"
wait_until 20 port_open "$port" || fail "emulator did not start"
mport=$(free_port)
conf="$TEST_TMP/w.properties"
cat >"$conf" <<CONF
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = 20000
a1.sources.r1.batchSize = 1000
a1.sources.r1.channels = c1
a1.sources.r1.interceptors = ts
a1.sources.r1.interceptors.ts.type = timestamp
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = hdfs
a1.sinks.k1.channel = c1
a1.sinks.k1.hdfs.path = webhdfs://127.0.0.1:$port/user/flume/proxy/%Y%m%d
a1.sinks.k1.hdfs.webhdfs.user = flume
a1.sinks.k1.hdfs.filePrefix = proxy-data
a1.sinks.k1.hdfs.fileSuffix = .txt.gz
a1.sinks.k1.hdfs.fileType = CompressedStream
a1.sinks.k1.hdfs.codeC = gzip
a1.sinks.k1.hdfs.rollCount = 7000
a1.sinks.k1.hdfs.rollSize = 0
a1.sinks.k1.hdfs.rollInterval = 0
a1.sinks.k1.hdfs.batchSize = 1000
CONF
curl -sf "http://127.0.0.1:$port/__fail?count=3&code=503" >/dev/null  # the first calls fail: retried
start_agent a1 "$conf" --metrics-port "$mport"
drained() { curl -s "http://127.0.0.1:$mport/metrics" | grep -q '"EventDrainSuccessCount":"20000"'; }
wait_until 60 drained || fail "sink did not drain 20000 events: $(curl -s http://127.0.0.1:$mport/metrics)"
stop_agent "$AGENT_PID"
files=$(find "$root" -type f | sort)
echo "$files"
[ "$(echo "$files" | wc -l)" -eq 3 ] || fail "expected 3 files (rollCount 7000 of 20000)"
! grep -q '\.tmp$' <<<"$files" || fail "in-use files were not renamed"
grep -q "/user/flume/proxy/$(date +%Y%m%d)/proxy-data\.[0-9]\{13\}\.txt\.gz$" <<<"$files" || fail "naming"
for f in $files; do gzip -t "$f" || fail "$f is not a valid gzip"; done
diff <(for f in $files; do zcat "$f"; done | sort -n) <(seq 0 19999) >/dev/null || fail "content differs"

# A path the namenode refuses (403): clear error, events stay in the channel.
sed -i "s#/user/flume/proxy/%Y%m%d#/forbidden/x#; s/totalEvents = 20000/totalEvents = 100/" "$conf"
start_agent a1 "$conf" --metrics-port "$mport"
refused() { grep -q "403 security.AccessControlException: Permission denied" "$TEST_TMP/agent-a1.log"; }
wait_until 30 refused || fail "403 not reported clearly"
kept() { curl -s "http://127.0.0.1:$mport/metrics" | grep -q '"ChannelSize":"100"'; }
wait_until 10 kept || fail "events left the channel although the write failed"
stop_agent "$AGENT_PID"
# swebhdfs://: HTTPS to the namenode and to the https:// datanode it redirects to, verified with our CA.
certs="$TEST_TMP/certs"
bash "$(dirname "$0")/../peers/make-test-certs.sh" "$certs"
sport=$(free_port); sroot="$TEST_TMP/shdfsroot"
bg $PY "$emu" "$sport" "$sroot" --tls "$certs/server.pem" "$certs/server.key"
wait_until 20 port_open "$sport" || fail "TLS emulator did not start"
sed -i "s#^a1.sinks.k1.hdfs.path = .*#a1.sinks.k1.hdfs.path = swebhdfs://localhost:$sport/secure/%Y%m%d#; s/totalEvents = 100/totalEvents = 3000/" "$conf"
echo "a1.sinks.k1.hdfs.webhdfs.caFile = $certs/ca.pem" >>"$conf"
start_agent a1 "$conf" --metrics-port "$mport"
secured() { curl -s "http://127.0.0.1:$mport/metrics" | grep -q '"EventDrainSuccessCount":"3000"'; }
wait_until 60 secured || fail "swebhdfs: sink did not drain 3000 events: $(tail -5 "$TEST_TMP/agent-a1.log")"
stop_agent "$AGENT_PID"
sfiles=$(find "$sroot" -type f | sort)
diff <(for f in $sfiles; do zcat "$f"; done | sort -n) <(seq 0 2999) >/dev/null || fail "swebhdfs content differs"
# Without our CA the namenode's certificate is not trusted: nothing is written, the events stay.
sed -i "/webhdfs.caFile/d" "$conf"
start_agent a1 "$conf" --metrics-port "$mport"
untrusted() { grep -q "certificate verify failed" "$TEST_TMP/agent-a1.log"; }
wait_until 30 untrusted || fail "an untrusted namenode certificate was not refused"
stop_agent "$AGENT_PID"
pass "webhdfs sink against the emulator, also over HTTPS (swebhdfs)"
