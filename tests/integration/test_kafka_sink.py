#!/usr/bin/python3
"""The kafka sink against librdkafka's mock cluster (tests/peers/kafka_mock_cluster), read back by
an independent client (kafka-python): plain bodies with keys; topic override by header
(allowTopicOverride, topicHeader) with the partition from partitionIdHeader, gzip compression and
acks=all; and Flume's AvroFlumeEvent format decoded with python3-avro."""
import io
import os
import signal
import subprocess
import sys
import tempfile

import avro.io
import avro.schema
from kafka import KafkaConsumer

BUILD = os.environ.get("SLUICE_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
SLUICE = os.environ.get("SLUICE_BIN", os.path.join(BUILD, "sluice"))
SCHEMA = avro.schema.parse('{"type":"record","name":"AvroFlumeEvent","namespace":"org.apache.flume.source.avro",'
                           '"fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}')


def consume(bootstrap, topic, n, timeout=30):
    c = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                      consumer_timeout_ms=timeout * 1000, api_version=(2, 0, 0))
    out = []
    for m in c:
        out.append(m)
        if len(out) >= n:
            break
    c.close()
    return out


def main():
    mock = subprocess.Popen([os.path.join(BUILD, "tests", "kafka_mock_cluster"), "1", "plain:1", "other:4", "avro:1"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    bootstrap = mock.stdout.readline().strip()
    assert bootstrap, "mock cluster did not start"
    work = tempfile.mkdtemp()
    agents = []
    try:
        for fmt, topic in (("false", "plain"), ("true", "avro")):
            conf = os.path.join(work, "k-%s.properties" % topic)
            with open(conf, "w") as f:
                f.write("a.sources = r\na.channels = c\na.sinks = k\n"
                        "a.sources.r.type = seq\na.sources.r.totalEvents = 300\na.sources.r.batchSize = 50\n"
                        "a.sources.r.channels = c\na.sources.r.interceptors = k t\n"
                        "a.sources.r.interceptors.k.type = static\na.sources.r.interceptors.k.key = key\n"
                        "a.sources.r.interceptors.k.value = host-7\n"
                        "a.sources.r.interceptors.t.type = static\na.sources.r.interceptors.t.key = origin\n"
                        "a.sources.r.interceptors.t.value = sluice\n"
                        "a.channels.c.type = memory\na.channels.c.capacity = 10000\n"
                        "a.sinks.k.type = kafka\na.sinks.k.channel = c\n"
                        "a.sinks.k.kafka.bootstrap.servers = %s\na.sinks.k.kafka.topic = %s\n"
                        "a.sinks.k.useFlumeEventFormat = %s\na.sinks.k.flumeBatchSize = 100\n"
                        "a.sinks.k.kafka.producer.linger.ms = 5\n" % (bootstrap, topic, fmt))
            agents.append(subprocess.Popen([SLUICE, "agent", "-n", "a", "-f", conf], stderr=open(conf + ".log", "w")))
        # Same key header as above: without partitionIdHeader the key picks the partition (2 of 4
        # for "host-7", checked by removing the header), so partition 3 shows the header was used.
        conf = os.path.join(work, "k-override.properties")
        with open(conf, "w") as f:
            f.write("a.sources = r\na.channels = c\na.sinks = k\n"
                    "a.sources.r.type = seq\na.sources.r.totalEvents = 300\na.sources.r.batchSize = 50\n"
                    "a.sources.r.channels = c\na.sources.r.interceptors = k d p\n"
                    "a.sources.r.interceptors.k.type = static\na.sources.r.interceptors.k.key = key\n"
                    "a.sources.r.interceptors.k.value = host-7\n"
                    "a.sources.r.interceptors.d.type = static\na.sources.r.interceptors.d.key = dest\n"
                    "a.sources.r.interceptors.d.value = other\n"
                    "a.sources.r.interceptors.p.type = static\na.sources.r.interceptors.p.key = part\n"
                    "a.sources.r.interceptors.p.value = 3\n"
                    "a.channels.c.type = memory\na.channels.c.capacity = 10000\n"
                    "a.sinks.k.type = kafka\na.sinks.k.channel = c\n"
                    "a.sinks.k.kafka.bootstrap.servers = %s\na.sinks.k.kafka.topic = plain\n"
                    "a.sinks.k.allowTopicOverride = true\na.sinks.k.topicHeader = dest\n"
                    "a.sinks.k.partitionIdHeader = part\na.sinks.k.kafka.producer.acks = all\n"
                    "a.sinks.k.kafka.producer.compression.type = gzip\n" % bootstrap)
        agents.append(subprocess.Popen([SLUICE, "agent", "-n", "a", "-f", conf], stderr=open(conf + ".log", "w")))
        other = consume(bootstrap, "other", 300)
        assert len(other) == 300, "override: %d of 300 on the topic named by the header" % len(other)
        assert sorted(int(m.value) for m in other) == list(range(300)), "override: bodies differ"
        parts = sorted(set(m.partition for m in other))
        assert parts == [3], "partitionIdHeader = 3, records in partitions %s" % parts
        plain = consume(bootstrap, "plain", 301, timeout=5)  # 301: nothing of the override agent's may be here
        assert len(plain) == 300, "plain: %d records, expected 300" % len(plain)
        assert sorted(int(m.value) for m in plain) == list(range(300)), "plain bodies differ"
        assert all(m.key == b"host-7" for m in plain), "message key is not the key header"
        got = consume(bootstrap, "avro", 300)
        assert len(got) == 300, "avro: %d of 300" % len(got)
        reader = avro.io.DatumReader(SCHEMA)
        events = [reader.read(avro.io.BinaryDecoder(io.BytesIO(m.value))) for m in got]
        assert sorted(int(e["body"]) for e in events) == list(range(300)), "avro bodies differ"
        assert all(e["headers"].get("origin") == "sluice" for e in events), "headers lost in the Avro format"
        print("PASS: kafka sink: 300 plain, 300 by topic/partition header (gzip, acks=all) and 300 AvroFlumeEvent "
              "messages read back by kafka-python")
        return 0
    finally:
        for a in agents:
            a.send_signal(signal.SIGTERM)
            a.wait(timeout=30)
        mock.stdin.close()
        mock.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
