#!/usr/bin/env bash
# Secrets given through Flume's configuration filters (env and sluice's file filter) work, and never
# show in check-config output, the agent's log or /metrics, also when the configuration has errors.
. "$(dirname "$0")/lib.sh"
certs="$TEST_TMP/certs"
bash "$(dirname "$0")/../peers/make-test-certs.sh" "$certs"
mkdir -p "$TEST_TMP/creds"
printf 'changeit\n' > "$TEST_TMP/creds/ks_password"   # the PKCS12 password, from a credentials directory
export SLUICE_TEST_S3_SECRET='s3-SECRET-value-do-not-print'
port=$(free_port); mport=$(free_port)
write_conf() {  # $1: extra line
  cat >"$TEST_TMP/a.properties" <<CONF
a1.configfilters = env creds
a1.configfilters.env.type = env
a1.configfilters.creds.type = file
a1.configfilters.creds.directory = $TEST_TMP/creds
a1.sources = r1
a1.channels = c1
a1.sinks = k1 k2
a1.sources.r1.type = avro
a1.sources.r1.bind = 127.0.0.1
a1.sources.r1.port = $port
a1.sources.r1.ssl = true
a1.sources.r1.keystore = $certs/server.p12
a1.sources.r1.keystore-type = PKCS12
a1.sources.r1.keystore-password = \${creds['ks_password']}
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
a1.sinks.k2.type = s3
a1.sinks.k2.channel = c1
a1.sinks.k2.path = s3://bucket/x
a1.sinks.k2.endpoint = http://127.0.0.1:9
a1.sinks.k2.accessKey = AKIDEXAMPLE
a1.sinks.k2.secretKey = \${env['SLUICE_TEST_S3_SECRET']}
$1
CONF
}
leaks() { cat "$@" | grep -c -e 's3-SECRET-value' -e 'changeit' || true; }

# 1. A configuration with an error: the report names the key, not the secrets.
write_conf "a1.channels.c1.capacity = lots"
"$SLUICE_BIN" check-config -n a1 -f "$TEST_TMP/a.properties" >"$TEST_TMP/check.out" 2>&1 && fail "check-config accepted a bad value"
grep -q "a1.channels.c1.capacity" "$TEST_TMP/check.out" || fail "error does not name the key"
[ "$(leaks "$TEST_TMP/check.out")" -eq 0 ] || fail "check-config printed a secret"

# 2. A valid one: the agent starts (the keystore opens with the password from the file), and neither
#    its log nor /metrics contain a secret.
write_conf ""
sed -i 's/^a1.sinks = k1 k2/a1.sinks = k1/' "$TEST_TMP/a.properties"
"$SLUICE_BIN" check-config -n a1 -f "$TEST_TMP/a.properties" >"$TEST_TMP/check2.out" 2>&1 || { cat "$TEST_TMP/check2.out"; fail "valid configuration refused"; }
start_agent a1 "$TEST_TMP/a.properties" --metrics-port "$mport" --log-level debug
wait_until 20 port_open "$port" || fail "TLS avro source did not start (keystore password from the file filter?)"
curl -s "http://127.0.0.1:$mport/metrics" >"$TEST_TMP/metrics.json"
curl -s "http://127.0.0.1:$mport/prometheus" >>"$TEST_TMP/metrics.json"
grep -q "SOURCE.r1" "$TEST_TMP/metrics.json" || fail "metrics not served"
stop_agent "$AGENT_PID"
[ "$(leaks "$TEST_TMP/agent-a1.log" "$TEST_TMP/metrics.json" "$TEST_TMP/check2.out")" -eq 0 ] || fail "a secret leaked"
pass "secrets from env and file filters work and are never printed"
