#!/usr/bin/env bash
# Real peers: util-linux `logger` sends RFC 3164 and RFC 5424 messages over TCP (newline and
# octet-counted) and UDP, from several concurrent senders, to syslogtcp, multiport_syslogtcp and
# syslogudp sources; every message must arrive once, with Flume's headers.
. "$(dirname "$0")/lib.sh"
command -v logger >/dev/null || fail "logger (util-linux) is not installed"
out="$TEST_TMP/out"; mkdir -p "$out"
tcp=$(free_port); udp=$(free_port); m1=$(free_port); m2=$(free_port)
conf="$TEST_TMP/syslog.properties"
cat >"$conf" <<CONF
a1.sources = tcp udp multi
a1.channels = c1
a1.sinks = k1
a1.sources.tcp.type = syslogtcp
a1.sources.tcp.host = 127.0.0.1
a1.sources.tcp.port = $tcp
a1.sources.tcp.clientIPHeader = clientip
a1.sources.tcp.channels = c1
a1.sources.udp.type = syslogudp
a1.sources.udp.host = 127.0.0.1
a1.sources.udp.port = $udp
a1.sources.udp.channels = c1
a1.sources.multi.type = multiport_syslogtcp
a1.sources.multi.host = 127.0.0.1
a1.sources.multi.ports = $m1 $m2
a1.sources.multi.portHeader = port
a1.sources.multi.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = $out
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.serializer = header_and_text
CONF
start_agent a1 "$conf"
wait_until 20 port_open "$tcp" || fail "syslogtcp did not listen"
wait_until 20 port_open "$m2" || fail "multiport did not listen"

N=200
send() {  # sender-id, logger args...
  local id=$1; shift
  for i in $(seq 1 $N); do echo "msg-$id-$i"; done | logger "$@" -n 127.0.0.1 -t app$id
}
senders=()
send tcp5424 --tcp -P "$tcp" --rfc5424 & senders+=($!)
send tcp3164 --tcp -P "$tcp" --rfc3164 & senders+=($!)
send tcpoct --tcp -P "$tcp" --rfc5424 --octet-count & senders+=($!)
send m1 --tcp -P "$m1" --rfc5424 & senders+=($!)
send m2 --tcp -P "$m2" --rfc3164 & senders+=($!)
wait "${senders[@]}"  # not a bare wait: that would wait for the agent too
send udp --udp -P "$udp" --rfc5424   # UDP on loopback at this rate does not drop; sent alone
total=$((6 * N))
count() { cat "$out"/* 2>/dev/null | grep -c 'msg-' || true; }
got_all() { [ "$(count)" -ge "$total" ]; }
wait_until 30 got_all || fail "only $(count) of $total messages arrived"
stop_agent "$AGENT_PID"
[ "$(count)" -eq "$total" ] || fail "$(count) messages, expected exactly $total (duplicates?)"
for id in tcp5424 tcp3164 tcpoct m1 m2 udp; do
  for i in 1 $N; do
    grep -q "msg-$id-$i\$" "$out"/* || fail "message msg-$id-$i missing"
  done
  [ "$(grep -c "msg-$id-" "$out"/*)" -eq $N ] || fail "sender $id: wrong count"
done
line=$(grep -h "msg-tcp5424-7\$" "$out"/*)
echo "sample: $line"
grep -q "Facility=1" <<<"$line" && grep -q "Severity=5" <<<"$line" || fail "no Facility/Severity headers (user.notice)"
grep -q "timestamp=1[0-9]\{12\}" <<<"$line" || fail "no epoch-ms timestamp header"
grep -q "host=" <<<"$line" && grep -q "clientip=127.0.0.1" <<<"$line" || fail "no host/clientip header"
grep -q "version=1" <<<"$line" || fail "no version header for RFC 5424"
grep -q "flume.syslog.status" "$out"/* && fail "a well-formed message was marked Invalid/Incomplete"
grep -h "msg-m2-1\$" "$out"/* | grep -q "port=$m2" || fail "portHeader missing on multiport"
grep -h "msg-tcp3164-1\$" "$out"/* | grep -q "appt*cp3164" || fail "RFC 3164 body lost its tag"
pass "syslog sources with logger"
