# Source this to get syslog-ng and loggen without installing the package (installing syslog-ng
# would remove rsyslog): the .debs are downloaded with apt-get download and unpacked with dpkg -x
# into a cache directory once. Exports SYSLOGNG_DIR, SYSLOGNG, LOGGEN and the environment they need.
SYSLOGNG_DIR=${SYSLOGNG_DIR:-/var/tmp/sluice-syslog-ng}
if [ ! -x "$SYSLOGNG_DIR/usr/sbin/syslog-ng" ]; then
  _sng_dl=$(mktemp -d)
  (cd "$_sng_dl" && apt-get download syslog-ng-core libivykis0 libnet1 libwrap0 >/dev/null 2>&1) || {
    echo "syslog-ng-env: apt-get download failed (run apt-get update?)" >&2; rm -rf "$_sng_dl"; return 1; }
  mkdir -p "$SYSLOGNG_DIR"
  for _deb in "$_sng_dl"/*.deb; do dpkg -x "$_deb" "$SYSLOGNG_DIR"; done
  rm -rf "$_sng_dl"
fi
export SYSLOGNG_PREFIX="$SYSLOGNG_DIR/usr"
export LD_LIBRARY_PATH="$SYSLOGNG_DIR/usr/lib/syslog-ng:$SYSLOGNG_DIR/usr/lib:$SYSLOGNG_DIR/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
SYSLOGNG="$SYSLOGNG_DIR/usr/sbin/syslog-ng"
LOGGEN="$SYSLOGNG_DIR/usr/bin/loggen"
export SYSLOGNG_DIR SYSLOGNG LOGGEN
