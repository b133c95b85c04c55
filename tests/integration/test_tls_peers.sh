#!/usr/bin/env bash
# TLS against independent peers, with certificates made here by openssl:
#  1. python3-avro client (Python's ssl, verifying CA and name) -> sluice avro source (Flume's keys,
#     PKCS12 keystore) and sluice avro sink -> python3-avro server over TLS;
#  2. syslog-ng's loggen --use-ssl -> sluice syslogtcp with TLS; a cleartext client gets nothing in;
#  3. curl --cacert -> https http source; openssl s_client without a client certificate is refused
#     when ssl-client-auth = required.
. "$(dirname "$0")/lib.sh"
peer="$(dirname "$0")/../peers/avro_peer.py"
certs="$TEST_TMP/certs"
bash "$(dirname "$0")/../peers/make-test-certs.sh" "$certs"
. "$(dirname "$0")/../peers/syslog-ng-env.sh"

avro_port=$(free_port); syslog_port=$(free_port); http_port=$(free_port); mtls_port=$(free_port)
out="$TEST_TMP/out"; mkdir -p "$out"
cat >"$TEST_TMP/agg.properties" <<CONF
agg.sources = avro sys http mtls
agg.channels = c1
agg.sinks = k1
agg.sources.avro.type = avro
agg.sources.avro.bind = 127.0.0.1
agg.sources.avro.port = $avro_port
agg.sources.avro.ssl = true
agg.sources.avro.keystore = $certs/server.p12
agg.sources.avro.keystore-password = changeit
agg.sources.avro.keystore-type = PKCS12
agg.sources.avro.channels = c1
agg.sources.sys.type = syslogtcp
agg.sources.sys.host = 127.0.0.1
agg.sources.sys.port = $syslog_port
agg.sources.sys.ssl = true
agg.sources.sys.ssl-certificate = $certs/server.pem
agg.sources.sys.ssl-key = $certs/server.key
agg.sources.sys.channels = c1
agg.sources.http.type = http
agg.sources.http.bind = 127.0.0.1
agg.sources.http.port = $http_port
agg.sources.http.ssl = true
agg.sources.http.keystore = $certs/server.p12
agg.sources.http.keystore-password = changeit
agg.sources.http.keystore-type = PKCS12
agg.sources.http.channels = c1
agg.sources.mtls.type = syslogtcp
agg.sources.mtls.host = 127.0.0.1
agg.sources.mtls.port = $mtls_port
agg.sources.mtls.ssl = true
agg.sources.mtls.ssl-certificate = $certs/server.pem
agg.sources.mtls.ssl-key = $certs/server.key
agg.sources.mtls.ssl-client-auth = required
agg.sources.mtls.ssl-ca = $certs/ca.pem
agg.sources.mtls.channels = c1
agg.channels.c1.type = memory
agg.channels.c1.capacity = 100000
agg.channels.c1.transactionCapacity = 1000
agg.sinks.k1.type = file_roll
agg.sinks.k1.channel = c1
agg.sinks.k1.sink.directory = $out
agg.sinks.k1.sink.rollInterval = 0
agg.sinks.k1.sink.serializer = header_and_text
CONF
start_agent agg "$TEST_TMP/agg.properties"
for p in $avro_port $syslog_port $http_port $mtls_port; do
  wait_until 20 port_open "$p" || fail "port $p not listening"
done

# 1a. python3-avro over TLS (checks the certificate and the name localhost) -> sluice.
timeout 60 $PY "$peer" client localhost "$avro_port" 500 --batch 50 --tls-ca "$certs/ca.pem" ||
  fail "python avro client over TLS failed"

# 2. loggen over TLS, 4 connections, RFC 5424 with octet counting.
n_loggen=2000  # --number counts per connection: 4 x 500
timeout 60 "$LOGGEN" --use-ssl --syslog-proto --active-connections=4 --number=500 --rate=5000 \
  127.0.0.1 "$syslog_port" >"$TEST_TMP/loggen.log" 2>&1 || { cat "$TEST_TMP/loggen.log"; fail "loggen --use-ssl failed"; }
# A cleartext sender on the TLS port gets nothing in.
printf '<13>Nov 25 10:00:00 h app: CLEARTEXT-MUST-NOT-ARRIVE\n' >/dev/tcp/127.0.0.1/$syslog_port || true

# 3. curl over HTTPS (JSONHandler), and plain HTTP refused.
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$certs/ca.pem" -H 'Content-Type: application/json' \
  -d '[{"headers":{"via":"curl-tls"},"body":"posted over https"}]' "https://localhost:$http_port/")
[ "$code" = 200 ] || fail "https POST answered $code"
curl -s -m 5 -o /dev/null "http://127.0.0.1:$http_port/" -d '[]' && fail "plain http to the https port succeeded"

# mTLS: s_client without a certificate is refused; with the client certificate it gets in.
echo '<13>Nov 25 10:00:00 h app: NO-CERT-MUST-NOT-ARRIVE' |
  timeout 10 openssl s_client -quiet -connect 127.0.0.1:$mtls_port -CAfile "$certs/ca.pem" >/dev/null 2>&1 || true
echo '<13>Nov 25 10:00:00 h app: WITH-CLIENT-CERT' |
  timeout 10 openssl s_client -quiet -connect 127.0.0.1:$mtls_port -CAfile "$certs/ca.pem" \
    -cert "$certs/client.pem" -key "$certs/client.key" >/dev/null 2>&1 || true

count() { cat "$out"/* 2>/dev/null | grep -ac "$1" || true; }
all_in() { [ "$(count 'peer=python-avro')" -ge 500 ] && [ "$(count 'prg0')" -ge $n_loggen ] &&
  [ "$(count 'posted over https')" -ge 1 ] && [ "$(count WITH-CLIENT-CERT)" -ge 1 ]; }
wait_until 30 all_in || true
stop_agent "$AGENT_PID"
[ "$(count 'peer=python-avro')" -eq 500 ] || fail "avro over TLS: $(count 'peer=python-avro') of 500 events"
[ "$(count 'prg0')" -eq $n_loggen ] || fail "loggen over TLS: $(count 'prg0') of $n_loggen messages"
[ "$(count 'posted over https')" -eq 1 ] || fail "https event missing"
[ "$(count WITH-CLIENT-CERT)" -eq 1 ] || fail "mTLS client with certificate did not get in"
[ "$(count CLEARTEXT-MUST-NOT-ARRIVE)" -eq 0 ] || fail "cleartext message accepted on a TLS port"
[ "$(count NO-CERT-MUST-NOT-ARRIVE)" -eq 0 ] || fail "client without certificate accepted with ssl-client-auth = required"
grep -q "TlsHandshakeFail\|TLS handshake" "$TEST_TMP/agent-agg.log" || fail "refused handshakes were not logged"
pass "python avro, loggen, curl and openssl s_client over TLS"

# 1b. sluice avro sink over TLS -> python3-avro TLS server.
port=$(free_port); got="$TEST_TMP/py-tls.jsonl"
bg $PY "$peer" server "$port" "$got" --tls-cert "$certs/server.pem" --tls-key "$certs/server.key"
wait_until 20 port_open "$port" || fail "python TLS server did not listen"
cat >"$TEST_TMP/remote.properties" <<CONF
ra.sources = r1
ra.channels = c1
ra.sinks = k1
ra.sources.r1.type = seq
ra.sources.r1.totalEvents = 1000
ra.sources.r1.channels = c1
ra.channels.c1.type = memory
ra.channels.c1.capacity = 10000
ra.sinks.k1.type = avro
ra.sinks.k1.channel = c1
ra.sinks.k1.hostname = localhost
ra.sinks.k1.port = $port
ra.sinks.k1.batch-size = 100
ra.sinks.k1.ssl = true
ra.sinks.k1.truststore = $certs/ca.pem
ra.sinks.k1.truststore-type = PEM
CONF
start_agent ra "$TEST_TMP/remote.properties"
lines() { [ -f "$got" ] && wc -l <"$got" || echo 0; }
enough() { [ "$(lines)" -ge 1000 ]; }
wait_until 30 enough || fail "python TLS server received $(lines) of 1000"
stop_agent "$AGENT_PID"
$PY - "$got" <<'PY' || fail "python TLS server saw wrong events"
import json, sys
bodies = sorted(int(bytes.fromhex(json.loads(l)["body"]).decode()) for l in open(sys.argv[1]))
assert bodies == list(range(1000)), "bodies are not 0..999 exactly once"
PY
pass "sluice avro sink -> python3-avro server over TLS"

# 4. The metrics endpoint over HTTPS with client certificates required (a sluice addition: Flume's
#    endpoint is plain HTTP), read by curl; the keystore password comes from Flume's environment
#    variable, not the command line. Without a client certificate, or in cleartext: nothing.
mport=$(free_port)
FLUME_SSL_KEYSTORE_PASSWORD=changeit start_agent ra "$TEST_TMP/remote.properties" \
  -Dflume.monitoring.type=http -Dflume.monitoring.port="$mport" -Dflume.monitoring.ssl=true \
  -Dflume.monitoring.keystore="$certs/server.p12" -Dflume.monitoring.keystore-type=PKCS12 \
  -Dflume.monitoring.ssl-client-auth=required -Dflume.monitoring.ssl-ca="$certs/ca.pem"
wait_until 20 port_open "$mport" || fail "metrics HTTPS endpoint did not listen: $(tail -3 "$TEST_TMP/agent-ra.log")"
json=$(curl -s -m 10 --cacert "$certs/ca.pem" --cert "$certs/client.pem" --key "$certs/client.key" \
  "https://localhost:$mport/metrics") || fail "curl with a client certificate could not read /metrics over HTTPS"
grep -q '"SOURCE.r1"' <<<"$json" || fail "/metrics over HTTPS is not Flume's JSON: $json"
curl -s -m 5 --cacert "$certs/ca.pem" "https://localhost:$mport/metrics" >/dev/null &&
  fail "/metrics answered a client without a certificate"
curl -s -m 5 "http://127.0.0.1:$mport/metrics" | grep -q SOURCE && fail "/metrics answered in cleartext"
grep -q "https://127.0.0.1:$mport" "$TEST_TMP/agent-ra.log" || fail "the log does not say the endpoint is HTTPS"
! grep -q changeit "$TEST_TMP/agent-ra.log" || fail "the keystore password reached the log"
stop_agent "$AGENT_PID"
# A bad TLS key for the endpoint is a clear start-up error naming the property.
"$SLUICE_BIN" agent -n ra -f "$TEST_TMP/remote.properties" -Dflume.monitoring.type=http \
  -Dflume.monitoring.port="$(free_port)" -Dflume.monitoring.ssl=true -Dflume.monitoring.ssl-certificate=/nonexistent.pem \
  -Dflume.monitoring.ssl-key=/nonexistent.key >"$TEST_TMP/bad.log" 2>&1 && fail "agent started with an unreadable certificate"
grep -q "flume.monitoring.ssl-certificate" "$TEST_TMP/bad.log" || fail "the error does not name the property: $(cat "$TEST_TMP/bad.log")"
pass "metrics endpoint over HTTPS with mTLS (curl)"
