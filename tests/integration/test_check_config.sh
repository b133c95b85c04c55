#!/usr/bin/env bash
# check-config and agent start-up on bad configurations: every problem reported at once as
# file:line: key: message, exit 1, nothing started. Also the YAML form and --strict.
. "$(dirname "$0")/lib.sh"

bad="$TEST_TMP/bad.properties"
cat >"$bad" <<'CONF'
a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1
a1.sources.r1.type = nosuchsource
a1.sources.r1.channel = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = lots
a1.channels.c1.transactionCapacty = 10
a1.channels.c2.type = logger
a1.sinks.k1.type = memory
a1.sinks.k1.channel = c9
CONF
set +e
out=$("$SLUICE_BIN" check-config -f "$bad" -n a1 2>&1); rc=$?
set -e
echo "$out"
[ $rc -eq 1 ] || fail "check-config on a bad file exited $rc, expected 1"
expect() { grep -qF -- "$1" <<<"$out" || fail "missing diagnostic: $1"; }
expect "$bad:4: a1.sources.r1.type: 'nosuchsource' is not a source type"
expect "$bad:4: a1.sources.r1.channels: is required"
expect "$bad:5: warning: a1.sources.r1.channel: is not a key of source r1 (type nosuchsource); did you mean 'channels'?"
expect "$bad:7: a1.channels.c1.capacity: 'lots' is not a whole number (expected an integer)"
expect "$bad:8: warning: a1.channels.c1.transactionCapacty: is not a key of channel c1 (type memory); did you mean 'transactionCapacity'?"
expect "$bad:9: a1.channels.c2.type: 'logger' is not a channel type (it is a sink type)"
expect "$bad:10: a1.sinks.k1.type: 'memory' is not a sink type (it is a channel type)"
expect "$bad:11: a1.sinks.k1.channel: channel 'c9' is not defined in a1.channels"

# The agent refuses to start on the same file, with the same messages.
set +e
"$SLUICE_BIN" agent -n a1 -f "$bad" >"$TEST_TMP/agent.log" 2>&1; rc=$?
set -e
[ $rc -eq 1 ] || fail "agent on a bad file exited $rc, expected 1"
grep -q "the agent does not start" "$TEST_TMP/agent.log" || fail "agent did not say why it refused"

# Unknown agent name.
set +e
out=$("$SLUICE_BIN" check-config -f "$bad" -n nope 2>&1); rc=$?
set -e
[ $rc -eq 1 ] && grep -qF "no configuration for agent 'nope' (agents in this file: a1)" <<<"$out" || fail "unknown agent: $out"

# A good file in properties and YAML form resolves to the same pipeline; unknown keys warn, --strict fails.
good="$TEST_TMP/good.properties"
cat >"$good" <<'CONF'
a1.sinks = k1
a1.channels = c1
a1.channels.c1.type = org.apache.flume.channel.MemoryChannel
a1.channels.c1.capacity = 1000
a1.channels.c1.capacityy = 5
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
CONF
out=$("$SLUICE_BIN" check-config -f "$good" 2>&1) || fail "good file rejected: $out"
grep -q "configuration OK" <<<"$out" || fail "no OK line"
grep -q "sink k1 (null) <- c1" <<<"$out" || fail "pipeline not printed: $out"
grep -q "warning: a1.channels.c1.capacityy" <<<"$out" || fail "unknown key not warned"
set +e
"$SLUICE_BIN" check-config -f "$good" --strict >/dev/null 2>&1; rc=$?
set -e
[ $rc -eq 1 ] || fail "--strict accepted an unknown key"

yaml="$TEST_TMP/good.yaml"
cat >"$yaml" <<'CONF'
a1:
  channels:
    c1: {type: memory, capacity: 1000}
  sinks:
    k1:
      type: null
      channel: c1
CONF
out=$("$SLUICE_BIN" check-config -f "$yaml" 2>&1) || fail "YAML rejected: $out"
grep -q "sink k1 (null) <- c1" <<<"$out" || fail "YAML pipeline not printed: $out"

# Every example configuration shipped in conf/ is valid (strict: no unknown keys).
for f in "$(dirname "$0")"/../../conf/*.properties; do
  agent=$(grep -m1 -oE '^[A-Za-z0-9_-]+\.sources' "$f" | cut -d. -f1)
  "$SLUICE_BIN" check-config -f "$f" -n "$agent" --strict >/dev/null 2>"$TEST_TMP/conf.err" \
    || fail "conf example $(basename "$f") is not valid: $(cat "$TEST_TMP/conf.err")"
done
pass "conf examples"

# `sluice help` lists the types and prints one type's keys from the same declarations the validator
# uses; `sluice version` names the libraries.
out=$("$SLUICE_BIN" help)
for t in syslogtcp TAILDIR avro hdfs kafka file memory ioc_sweeper; do grep -qw "$t" <<<"$out" || fail "help does not list $t"; done
out=$("$SLUICE_BIN" help sink hdfs)
grep -q "^hdfs.rollCount  *int  *10 " <<<"$out" || fail "help sink hdfs lacks hdfs.rollCount with its default: $out"
grep -q "^channel .*(required)" <<<"$out" || fail "help sink hdfs lacks the channel key"
"$SLUICE_BIN" version | grep -q "librdkafka" || fail "version does not name its libraries"
# The agent runs on mimalloc (CMakeLists.txt); a link-order or packaging slip would silently bring back
# glibc's malloc and halve the syslog path's speed. Sanitizer builds keep their own allocator.
if ! "$SLUICE_BIN" version | grep -q ", Debug)"; then
  "$SLUICE_BIN" version | grep -q "allocator mimalloc .* (serves malloc)" || fail "the agent does not run on mimalloc: $("$SLUICE_BIN" version | grep allocator)"
fi
set +e; "$SLUICE_BIN" help sink nosuch >/dev/null 2>&1; rc=$?; set -e
[ $rc -eq 2 ] || fail "help on an unknown type should exit 2"
pass "help and version"
