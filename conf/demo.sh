#!/usr/bin/env bash
# `make demo`: runs conf/quickstart.properties with the metrics endpoint on, waits for the events to
# land, shows a metrics snapshot and the output, then stops the agent gracefully.
set -euo pipefail
bin=${1:-build/sluice}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/sluice-demo.XXXXXX)
conf="$work/quickstart.properties"
sed "s#/tmp/sluice-demo#$work#g" "$here/quickstart.properties" >"$conf"
mkdir -p "$work/files"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

echo "== sluice demo: $conf"
"$bin" check-config -f "$conf" -n quickstart
"$bin" agent -n quickstart -f "$conf" --metrics-port "$port" >"$work/agent.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
total=$(grep -E '^quickstart.sources.gen.totalEvents' "$conf" | sed 's/.*= *//')
for _ in $(seq 1 100); do
  n=$(cat "$work"/files/* 2>/dev/null | wc -l || true)  # no file yet: cat fails, and pipefail with it
  [ "$n" -ge "$total" ] && break
  sleep 0.1
done
echo
echo "== metrics (GET http://127.0.0.1:$port/metrics, Flume's JSON):"
curl -s "http://127.0.0.1:$port/metrics" | /usr/bin/python3 -m json.tool
kill -TERM $pid
wait $pid || true
trap - EXIT
echo
echo "== output in $work/files:"
ls -l "$work/files"
echo "first lines:"
head -3 "$work"/files/* | cut -c1-160
lines=$(cat "$work"/files/* | wc -l)
echo
echo "== $lines of $total events written; agent log: $work/agent.log"
[ "$lines" -eq "$total" ] || { echo "demo: expected $total lines" >&2; exit 1; }

# Part 2: a proxy log tailed and syslog received, landing in gzip-rolled, date-partitioned directories.
echo
echo "== part 2: TAILDIR + syslogtcp -> hdfs sink (gzip, partitioned by event type and date)"
lakeconf="$work/demo-lake.properties"
syslog_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed "s#/tmp/sluice-demo#$work#g; s#port = 5140#port = $syslog_port#" "$here/demo-lake.properties" >"$lakeconf"
mkdir -p "$work/logs"
/usr/bin/python3 "$here/../bench/corpus.py" --kind squid --count 20000 >"$work/logs/access.log"
"$bin" agent -n lake -f "$lakeconf" >"$work/lake.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$syslog_port") 2>/dev/null && break; sleep 0.1; done
for i in $(seq 1 500); do echo "demo syslog message $i"; done | logger --tcp -n 127.0.0.1 -P "$syslog_port" --rfc5424 -t demo
sleep 2
kill -TERM $pid
wait $pid || true
trap - EXIT
echo "files:"
find "$work/lake" -type f | sort | sed "s#$work/##"
squid=$(find "$work/lake/squid" -name '*.gz' -exec zcat {} + | wc -l)
sys=$(find "$work/lake/syslog" -name '*.gz' -exec zcat {} + | wc -l)
echo "squid lines: $squid of 20000, syslog messages: $sys of 500 (gzip -t: $(find "$work/lake" -name '*.gz' -exec gzip -t {} + && echo ok))"
[ "$squid" -eq 20000 ] && [ "$sys" -eq 500 ] || { echo "demo: the lake is missing lines" >&2; exit 1; }

# Part 3: the IOC sweep of conf/ioc-sweep.properties on a Squid log with a few planted hits.
echo
echo "== part 3: conf/ioc-sweep.properties: Squid log swept against conf/feeds/sample-iocs.txt"
iocconf="$work/ioc-sweep.properties"
sed "s#/var/log/squid#$work/ioclogs#; s#/var/lib/sluice#$work#g; s#/etc/sluice/examples/feeds#$here/feeds#; s#/data/lake#$work/ioclake#" \
  "$here/ioc-sweep.properties" >"$iocconf"
mkdir -p "$work/ioclogs"
{
  /usr/bin/python3 "$here/../bench/corpus.py" --kind squid --count 5000
  echo "1763856000.001    120 10.1.2.3 TCP_MISS/200 5120 GET http://cdn.evil.example/a.js - HIER_DIRECT/93.184.216.34 text/javascript"
  echo "1763856000.002     80 10.1.2.4 TCP_TUNNEL/200 9000 CONNECT malware-c2.example.net:443 - HIER_DIRECT/198.51.100.23 -"
  echo "1763856000.003     95 10.1.2.5 TCP_MISS/200 700 GET http://www.notevil.example/ - HIER_DIRECT/203.0.113.77 text/html"
} >"$work/ioclogs/access.log"
"$bin" agent -n sweep -f "$iocconf" >"$work/ioc.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -n "$(cat "$work"/alerts/* 2>/dev/null)" ] && [ "$(cat "$work"/alerts/* | wc -l)" -ge 3 ] && break; sleep 0.1; done
sleep 1
kill -TERM $pid
wait $pid || true
trap - EXIT
echo "alerts ($(cat "$work"/alerts/* | wc -l) of $(wc -l <"$work/ioclogs/access.log") events; every event also went to $work/ioclake):"
cut -c1-220 "$work"/alerts/*
[ "$(cat "$work"/alerts/* | wc -l)" -eq 3 ] || { echo "demo: expected 3 alerts" >&2; exit 1; }
