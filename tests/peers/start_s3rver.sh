#!/usr/bin/env bash
# Starts s3rver (npm, pinned in tests/peers/s3rver/package.json) on 127.0.0.1 on a free port with a
# bucket created at start. Installs it once (npm install) when node_modules is missing.
# Usage: start_s3rver.sh DATA_DIR BUCKET LOGFILE [TLS_KEY TLS_CERT]   (with a key and cert: HTTPS)
# Prints "PORT PID" once it answers; the caller stops it with kill PID.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${1:?data dir}; bucket=${2:?bucket}; log=${3:?log file}
tls=()
if [ $# -ge 5 ]; then tls=(--key "$4" --cert "$5"); fi
# Tests run in parallel: one npm install at a time, the others wait for it.
exec 9>"$here/s3rver/.install.lock"
flock 9
if [ ! -x "$here/s3rver/node_modules/.bin/s3rver" ]; then
  npm install --prefix "$here/s3rver" --no-audit --no-fund >"$log.npm" 2>&1 || { cat "$log.npm" >&2; exit 1; }
fi
flock -u 9
exec 9>&-
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$data"
node "$here/s3rver/node_modules/.bin/s3rver" -d "$data" -a 127.0.0.1 -p "$port" --configure-bucket "$bucket" \
  "${tls[@]}" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port $pid"; exit 0; fi
  kill -0 "$pid" 2>/dev/null || { echo "s3rver exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
kill "$pid"; echo "s3rver did not start within 30 s" >&2; exit 1
