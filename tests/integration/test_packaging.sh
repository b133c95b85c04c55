#!/usr/bin/env bash
# `make deb` builds an installable package: files land where they should (checked with dpkg -x in a
# throwaway root), the systemd unit passes `systemd-analyze verify`, and the flume-ng wrapper
# starts sluice with a flume-ng command line.
. "$(dirname "$0")/lib.sh"
build=${SLUICE_BUILD_DIR:?}
(cd "$build" && cpack -G DEB >"$TEST_TMP/cpack.log" 2>&1) || fail "cpack failed: $(tail -5 "$TEST_TMP/cpack.log")"
deb=$(ls -t "$build"/sluice_*.deb | head -1)
[ -f "$deb" ] || fail "no .deb produced"
root="$TEST_TMP/root"
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$TEST_TMP/control"
for f in usr/bin/sluice usr/lib/systemd/system/sluice@.service usr/share/sluice/bin/flume-ng \
         etc/sluice/examples/quickstart.properties usr/share/doc/sluice/README.md; do
  [ -e "$root/$f" ] || fail "package lacks /$f"
done
grep -q adduser "$TEST_TMP/control/postinst" || fail "postinst does not create the sluice user"
"$root/usr/bin/sluice" version | grep -q "^sluice " || fail "packaged binary does not run"
# Sanitizer (Debug) builds keep the sanitizer's allocator; release packages run on mimalloc.
if ! "$root/usr/bin/sluice" version | grep -q ", Debug)"; then
  "$root/usr/bin/sluice" version | grep -q "allocator mimalloc .* (serves malloc)" || fail "packaged binary does not run on mimalloc"
  grep -q "libmimalloc" "$TEST_TMP/control/control" || fail "the package does not depend on mimalloc: $(grep Depends "$TEST_TMP/control/control")"
fi
unit="$root/usr/lib/systemd/system/sluice@.service"
grep -q '^User=sluice' "$unit" && grep -q '^NoNewPrivileges=yes' "$unit" && grep -q '^ProtectSystem=strict' "$unit" \
  || fail "unit lacks hardening"
if command -v systemd-analyze >/dev/null; then
  # verify needs the ExecStart binary at its path: check a copy that points into the extracted root.
  mkdir -p "$TEST_TMP/units"
  sed "s#/usr/bin/sluice#$root/usr/bin/sluice#" "$unit" >"$TEST_TMP/units/sluice@.service"
  out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "$TEST_TMP/units/sluice@a1.service" 2>&1 || true)
  echo "$out"
  ! grep -Ei "unknown (key|section)|failed to parse|invalid" <<<"$out" || fail "systemd-analyze found problems"
fi
conf="$TEST_TMP/flume.conf"
cat >"$conf" <<'CONF'
a1.channels = c1
a1.sinks = k1
a1.channels.c1.type = memory
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
CONF
SLUICE_BIN="$SLUICE_BIN" "$root/usr/share/sluice/bin/flume-ng" agent -n a1 -c "$TEST_TMP" -f "$conf" \
  -Dflume.root.logger=INFO,console >"$TEST_TMP/flume-ng.log" 2>&1 &
pid=$!; _pids+=("$pid")
wait_until 10 grep -q "agent a1 started" "$TEST_TMP/flume-ng.log" || fail "flume-ng wrapper did not start the agent"
stop_agent "$pid"
grep -q "agent a1 stopped" "$TEST_TMP/flume-ng.log" || fail "agent did not stop gracefully"
pass "packaging"
