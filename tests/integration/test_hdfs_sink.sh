#!/usr/bin/env bash
# The hdfs sink through the binary on the local backend: gzip-rolled, date-partitioned files that
# gzip -t and Python read back (content equal to the input, compression within 5 % of gzip -6);
# Flume's default SequenceFile read by an independent reader; kill -9 mid-stream leaves nothing
# unreadable: the next start recovers the in-use files.
. "$(dirname "$0")/lib.sh"
peers="$(dirname "$0")/../peers"
corpus="$TEST_TMP/corpus.log"
$PY "$(dirname "$0")/../../bench/corpus.py" --kind squid --count 50000 --hours 50 >"$corpus"
port=$(free_port)
mport=$(free_port)
out="$TEST_TMP/lake"
conf="$TEST_TMP/hdfs.properties"
cat >"$conf" <<CONF
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = netcat
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = $port
a1.sources.r1.max-line-length = 4096
a1.sources.r1.ack-every-event = false
a1.sources.r1.channels = c1
a1.sources.r1.interceptors = ts
a1.sources.r1.interceptors.ts.type = regex_extractor
a1.sources.r1.interceptors.ts.regex = ^(\\\\d+)\\\\.(\\\\d{3})
a1.sources.r1.interceptors.ts.serializers = s ms
a1.sources.r1.interceptors.ts.serializers.s.name = secs
a1.sources.r1.interceptors.ts.serializers.ms.name = millis
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = hdfs
a1.sinks.k1.channel = c1
a1.sinks.k1.hdfs.path = $out/proxy/%Y%m%d
a1.sinks.k1.hdfs.useLocalTimeStamp = true
a1.sinks.k1.hdfs.filePrefix = proxy-data
a1.sinks.k1.hdfs.fileSuffix = .txt.gz
a1.sinks.k1.hdfs.fileType = CompressedStream
a1.sinks.k1.hdfs.codeC = gzip
a1.sinks.k1.hdfs.rollCount = 20000
a1.sinks.k1.hdfs.rollSize = 0
a1.sinks.k1.hdfs.rollInterval = 0
a1.sinks.k1.hdfs.batchSize = 1000
CONF
start_agent a1 "$conf" --metrics-port "$mport"
wait_until 20 port_open "$port" || fail "netcat source did not listen"
$PY -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$port)); s.sendall(open(sys.argv[1],'rb').read()); s.close()" "$corpus"
# Stop once the source has put every line into the channel (a graceful stop drains the channel
# but, as Flume's netcat source, drops what is still unread in the socket).
wait_until 120 metric_at_least "$mport" SOURCE.r1 EventAcceptedCount 50000 ||
  fail "the source accepted $(agent_metric "$mport" SOURCE.r1 EventAcceptedCount) of 50000 lines"
stop_agent "$AGENT_PID"
files=$(find "$out" -type f | sort)
echo "$files"
! grep -q '\.tmp$' <<<"$files" || fail "in-use files left after a graceful stop"
grep -q "/proxy/$(date +%Y%m%d)/proxy-data\.[0-9]\{13\}\.txt\.gz$" <<<"$files" || fail "Flume naming not followed"
for f in $files; do gzip -t "$f" || fail "gzip -t failed on $f"; done
[ "$(echo "$files" | wc -l)" -eq 3 ] || fail "expected 3 files (rollCount 20000 of 50000 events)"
$PY - "$corpus" $files <<'PY' || fail "content or compression check failed"
import gzip, sys, zlib
want = open(sys.argv[1], "rb").read()
got = b"".join(gzip.open(f).read() for f in sorted(sys.argv[2:], key=lambda p: p.rsplit(".", 3)[-3]))
assert sorted(got.splitlines()) == sorted(want.splitlines()), "decompressed output differs from the input"
ours = sum(len(open(f, "rb").read()) for f in sys.argv[2:])
ref = len(gzip.compress(want, 6))
print("sluice gzip %d bytes, gzip -6 %d bytes, ratio %.3f" % (ours, ref, ours / ref))
assert ours <= ref * 1.05, "compressed output more than 5 % larger than gzip -6"
PY

# Flume's default file type: SequenceFile with BytesWritable values, read by an independent reader.
seqout="$TEST_TMP/seq"
cat >"$TEST_TMP/seq.properties" <<CONF
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = 5000
a1.sources.r1.batchSize = 100
a1.sources.r1.channels = c1
a1.sources.r1.interceptors = ts
a1.sources.r1.interceptors.ts.type = timestamp
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.sinks.k1.type = hdfs
a1.sinks.k1.channel = c1
a1.sinks.k1.hdfs.path = $seqout
a1.sinks.k1.hdfs.rollCount = 0
a1.sinks.k1.hdfs.rollSize = 0
CONF
start_agent a1 "$TEST_TMP/seq.properties" --metrics-port "$mport"
wait_until 60 metric_at_least "$mport" SOURCE.r1 EventAcceptedCount 5000 || fail "the seq source did not generate 5000 events"
stop_agent "$AGENT_PID"
f=$(find "$seqout" -type f)
[ "$(echo "$f" | wc -l)" -eq 1 ] || fail "expected one SequenceFile, got: $f"
[[ "$f" == */FlumeData.* ]] || fail "default prefix FlumeData not used: $f"
$PY "$peers/read_sequencefile.py" "$f" >"$TEST_TMP/seq.txt" || fail "independent reader rejected the SequenceFile"
[ "$(wc -l <"$TEST_TMP/seq.txt")" -eq 5000 ] || fail "SequenceFile has $(wc -l <"$TEST_TMP/seq.txt") records"
diff <(cut -f2 "$TEST_TMP/seq.txt" | sort -n) <(seq 0 4999) >/dev/null || fail "SequenceFile values differ"
awk -F'\t' '$1 < 1700000000000 { exit 1 }' "$TEST_TMP/seq.txt" || fail "keys are not the timestamp header"

# kill -9 while writing gzip: the in-use file is recovered at the next start and stays readable.
rm -rf "$out"
sed -i 's/rollCount = 20000/rollCount = 0/' "$conf"
start_agent a1 "$conf"
wait_until 20 port_open "$port" || fail "restart: no listener"
$PY -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$port)); s.sendall(open(sys.argv[1],'rb').read()); s.close()" "$corpus"
some_out() { [ -n "$(find "$out" -name '*.tmp' 2>/dev/null)" ]; }
wait_until 30 some_out || fail "no in-use file appeared"
sleep 0.5
kill -9 "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true
tmp=$(find "$out" -name '*.tmp')
[ -n "$tmp" ] || fail "expected an in-use file after kill -9"
start_agent a1 "$conf"
wait_until 20 grep -q "recovered" "$TEST_TMP/agent-a1.log" || fail "in-use file not recovered on restart"
stop_agent "$AGENT_PID"
! find "$out" -name '*.tmp' | grep -q . || fail "in-use file still there after recovery"
for f in $(find "$out" -type f); do gzip -t "$f" || fail "recovered file $f is not a valid gzip"; done

# serializer = avro_event: an Avro container file of Flume's Event record, read by python3-avro.
avout="$TEST_TMP/avro"
sed "s#hdfs.path = $seqout#hdfs.path = $avout#" "$TEST_TMP/seq.properties" >"$TEST_TMP/avro.properties"
cat >>"$TEST_TMP/avro.properties" <<CONF
a1.sinks.k1.hdfs.fileType = DataStream
a1.sinks.k1.serializer = avro_event
CONF
start_agent a1 "$TEST_TMP/avro.properties" --metrics-port "$mport"
wait_until 60 metric_at_least "$mport" SOURCE.r1 EventAcceptedCount 5000 || fail "the seq source did not generate 5000 events"
stop_agent "$AGENT_PID"
f=$(find "$avout" -type f)
$PY "$peers/read_avro_container.py" "$f" >"$TEST_TMP/avro.jsonl" || fail "python3-avro cannot read the avro_event file"
[ "$(wc -l <"$TEST_TMP/avro.jsonl")" -eq 5000 ] || fail "avro_event file has $(wc -l <"$TEST_TMP/avro.jsonl") records"
$PY -c "import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; assert sorted(int(x['body']) for x in r)==list(range(5000)); assert all('timestamp' in x['headers'] for x in r)" "$TEST_TMP/avro.jsonl" \
  || fail "avro_event records differ"
pass "hdfs sink"
