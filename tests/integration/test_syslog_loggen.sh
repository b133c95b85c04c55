#!/usr/bin/env bash
# syslog-ng's loggen (unpacked from its .deb, not installed) against the syslog sources:
# RFC 3164 lines over TCP, RFC 5424 with octet counting over TCP, UDP at a modest rate, 4 concurrent
# connections each, and --read-file of realistic proxy-log lines sent as they are (--dont-parse).
# Every message sent must be in the output once, with Flume's headers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../peers/syslog-ng-env.sh"
out="$TEST_TMP/out"; mkdir -p "$out"
tcp=$(free_port); oct=$(free_port); udp=$(free_port); file=$(free_port)
# syslog_source NAME TYPE PORT-KEY PORT VIA: one syslog source whose events carry header via=VIA.
syslog_source() {
  cat <<CONF
a1.sources.$1.type = $2
a1.sources.$1.host = 127.0.0.1
a1.sources.$1.$3 = $4
a1.sources.$1.channels = c1
a1.sources.$1.interceptors = t
a1.sources.$1.interceptors.t.type = static
a1.sources.$1.interceptors.t.key = via
a1.sources.$1.interceptors.t.value = $5
CONF
}
{
  printf 'a1.sources = tcp oct udp file\na1.channels = c1\na1.sinks = k1\n'
  syslog_source tcp syslogtcp port "$tcp" tcp3164
  syslog_source oct multiport_syslogtcp ports "$oct" oct5424
  syslog_source udp syslogudp port "$udp" udp
  syslog_source file syslogtcp port "$file" file
} >"$TEST_TMP/a1.properties"
cat >>"$TEST_TMP/a1.properties" <<CONF
a1.channels.c1.type = memory
a1.channels.c1.capacity = 200000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = $out
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.serializer = header_and_text
a1.sinks.k1.sink.batchSize = 1000
CONF
start_agent a1 "$TEST_TMP/a1.properties"
for p in $tcp $oct $file; do wait_until 20 port_open "$p" || fail "port $p not listening"; done

N=20000  # per source: loggen's --number counts per connection (4 x 5000)
# Realistic Squid lines with a syslog header, sent verbatim.
$PY - "$TEST_TMP/squid.log" <<'PY'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    for i in range(5000):
        ip = "10.%d.%d.%d" % (random.randrange(256), random.randrange(256), random.randrange(1, 255))
        url = "http://%s.example.com/p/%d?q=%d" % (random.choice(["cdn", "api", "www", "img"]), i, random.randrange(10**6))
        f.write("<190>Nov 25 10:%02d:%02d proxy1 squid[811]: 1764064800.%03d %d %s TCP_MISS/200 %d GET %s - HIER_DIRECT/93.184.216.34 text/html line-%d\n"
                % (i // 60 % 60, i % 60, i % 1000, random.randrange(1, 900), ip, random.randrange(200, 90000), url, i))
PY
loggen() { timeout 120 "$LOGGEN" --quiet "$@" >>"$TEST_TMP/loggen.log" 2>&1 || { tail "$TEST_TMP/loggen.log"; fail "loggen $*"; }; }
loggen --stream --active-connections=4 --number=$((N / 4)) --rate=5000 127.0.0.1 "$tcp" &
l1=$!
loggen --stream --syslog-proto --active-connections=4 --number=$((N / 4)) --rate=5000 127.0.0.1 "$oct" &
l2=$!
loggen --stream --read-file="$TEST_TMP/squid.log" --dont-parse 127.0.0.1 "$file" &
l3=$!
wait $l1 $l2 $l3
# UDP alone and slowly: loopback UDP does not drop at this rate (drops would be counted, not hidden).
loggen --dgram --number=2000 --rate=2000 127.0.0.1 "$udp"

count() { cat "$out"/* 2>/dev/null | grep -ac "via=$1" || true; }
done_all() { [ "$(count tcp3164)" -ge $N ] && [ "$(count oct5424)" -ge $N ] && [ "$(count file)" -ge 5000 ] &&
  [ "$(count udp)" -ge 2000 ]; }
wait_until 60 done_all || true
stop_agent "$AGENT_PID"
echo "tcp3164=$(count tcp3164) oct5424=$(count oct5424) file=$(count file) udp=$(count udp)"
[ "$(count tcp3164)" -eq $N ] || fail "RFC 3164 over TCP: $(count tcp3164) of $N"
[ "$(count oct5424)" -eq $N ] || fail "RFC 5424 octet-counted: $(count oct5424) of $N"
[ "$(count file)" -eq 5000 ] || fail "read-file: $(count file) of 5000"
[ "$(count udp)" -eq 2000 ] || fail "UDP: $(count udp) of 2000"
# Each loggen connection numbers its messages; every (thread, seq) pair is there once.
for via in tcp3164 oct5424; do
  dup=$(grep -ah "via=$via" "$out"/* | grep -o 'seq: [0-9]*, thread: [0-9]*' | sort | uniq -d | wc -l)
  [ "$dup" -eq 0 ] || fail "$via: $dup duplicated messages"
done
for i in 0 2500 4999; do
  [ "$(grep -ah "via=file" "$out"/* | grep -c "line-$i\$")" -eq 1 ] || fail "squid line $i missing"
done
sample=$(grep -ah "via=file" "$out"/* | grep "line-2500\$")
echo "sample: $sample"
grep -q "Facility=23" <<<"$sample" && grep -q "Severity=6" <<<"$sample" || fail "Facility/Severity wrong for <190>"
grep -q "host=proxy1" <<<"$sample" || fail "host header missing"
[ "$(grep -ah "via=oct5424" "$out"/* | grep -c "version=1")" -eq $N ] || fail "RFC 5424 version header missing"
grep -aq "flume.syslog.status" "$out"/* && fail "a well-formed loggen message was marked Invalid/Incomplete"
pass "loggen TCP/octet/UDP/read-file: every message once"
