#!/usr/bin/env bash
# Core numbers of the foundation: seq -> memory -> null through the real agent binary (20 M events,
# batch 1000; time until the sink's EventDrainSuccessCount reaches the total, read from /metrics),
# the in-process pipeline benchmark with 100-byte bodies, and the idle agent's RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${SLUICE_BIN:-build/sluice}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
total=${CORE_EVENTS:-20000000}
cat >"$work/seq.properties" <<CONF
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = $total
a1.sources.r1.batchSize = 1000
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = null
a1.sinks.k1.batchSize = 1000
a1.sinks.k1.channel = c1
CONF
"$bin" agent -n a1 -f "$work/seq.properties" --metrics-port "$port" 2>"$work/log" &
pid=$!
t0=$(date +%s.%N)
until curl -s "127.0.0.1:$port/metrics" | grep -q "\"EventDrainSuccessCount\":\"$total\""; do sleep 0.05; done
t1=$(date +%s.%N)
cpu=$(awk '{print ($14+$15)/100}' /proc/$pid/stat)
hwm=$(awk '/VmHWM/{print $2}' /proc/$pid/status)
kill $pid; wait $pid || true
echo "seq->memory->null (agent binary): $total events in $(echo "$t1 - $t0" | bc) s = $(echo "$total / ($t1 - $t0)" | bc) events/s, CPU $cpu s, peak RSS $((hwm / 1024)) MB"
sed 's/type = seq/type = netcat\na1.sources.r1.bind = 127.0.0.1\na1.sources.r1.port = 0/; /totalEvents/d; /r1.batchSize/d' "$work/seq.properties" >"$work/idle.properties"
"$bin" agent -n a1 -f "$work/idle.properties" 2>/dev/null &
pid=$!
sleep 2
echo "idle agent (netcat -> memory -> null): RSS $(awk '/VmRSS/{print $2}' /proc/$pid/status) kB"
kill $pid; wait $pid || true
build/bench/pipeline_bench --benchmark_min_time=2 2>/dev/null | grep BM_
