#!/usr/bin/python3
"""The kafka channel through the binary: seq -> kafka channel -> file_roll, on librdkafka's mock
cluster. Every event arrives once; the channel's topic holds Flume's AvroFlumeEvent records, checked
by an independent client (kafka-python + python3-avro), so Flume agents can share the topic."""
import glob
import io
import os
import signal
import subprocess
import sys
import tempfile
import time

import avro.io
import avro.schema
from kafka import KafkaConsumer

BUILD = os.environ.get("SLUICE_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
SLUICE = os.environ.get("SLUICE_BIN", os.path.join(BUILD, "sluice"))
SCHEMA = avro.schema.parse('{"type":"record","name":"AvroFlumeEvent","namespace":"org.apache.flume.source.avro",'
                           '"fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}')


def main():
    mock = subprocess.Popen([os.path.join(BUILD, "tests", "kafka_mock_cluster"), "1", "flume-channel:1"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    bootstrap = mock.stdout.readline().strip()
    work = tempfile.mkdtemp()
    out = os.path.join(work, "out")
    os.makedirs(out)
    conf = os.path.join(work, "a.properties")
    with open(conf, "w") as f:
        f.write("a.sources = r\na.channels = k\na.sinks = s\n"
                "a.sources.r.type = seq\na.sources.r.totalEvents = 2000\na.sources.r.batchSize = 100\n"
                "a.sources.r.channels = k\na.sources.r.interceptors = h\na.sources.r.interceptors.h.type = static\n"
                "a.sources.r.interceptors.h.key = tier\na.sources.r.interceptors.h.value = aggregator\n"
                "a.channels.k.type = kafka\na.channels.k.kafka.bootstrap.servers = %s\n"
                "a.sinks.s.type = file_roll\na.sinks.s.channel = k\na.sinks.s.sink.directory = %s\n"
                "a.sinks.s.sink.rollInterval = 0\n" % (bootstrap, out))
    agent = subprocess.Popen([SLUICE, "agent", "-n", "a", "-f", conf], stderr=open(conf + ".log", "w"))
    try:
        lines = []
        for _ in range(300):
            lines = [l for p in glob.glob(out + "/*") for l in open(p).read().splitlines()]
            if len(lines) >= 2000:
                break
            time.sleep(0.1)
        assert sorted(int(l) for l in lines) == list(range(2000)), "file_roll got %d lines" % len(lines)
        c = KafkaConsumer("flume-channel", bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                          group_id="independent-reader", consumer_timeout_ms=20000, api_version=(2, 0, 0))
        reader = avro.io.DatumReader(SCHEMA)
        seen = []
        for m in c:
            e = reader.read(avro.io.BinaryDecoder(io.BytesIO(m.value)))
            assert e["headers"]["tier"] == "aggregator"
            seen.append(int(e["body"]))
            if len(seen) >= 2000:
                break
        c.close()
        assert sorted(seen) == list(range(2000)), "topic holds %d AvroFlumeEvents" % len(seen)
        print("PASS: kafka channel: 2000 events delivered once; topic records are Flume's AvroFlumeEvent")
        return 0
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=30)
        mock.stdin.close()
        mock.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
