#!/usr/bin/python3
"""The kafka source through the binary: kafka-python (an independent client) produces to a topic
on librdkafka's mock cluster; sluice reads it into file_roll (header_and_text). Every record arrives
once with its topic and key headers; offsets are committed, so a restarted agent reads nothing twice.
Then kafka.topics.regex over two topics of Flume AvroFlumeEvents (encoded with python3-avro):
useFlumeEventFormat restores body and headers, topicHeader names the header carrying the topic."""
import io
import glob
import os
import signal
import subprocess
import sys
import tempfile
import time

import avro.io
import avro.schema
from kafka import KafkaProducer

BUILD = os.environ.get("SLUICE_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
SLUICE = os.environ.get("SLUICE_BIN", os.path.join(BUILD, "sluice"))


def lines(out):
    return [l for p in glob.glob(out + "/*") for l in open(p).read().splitlines()]


def run_agent(conf, out, want, max_wait=30):
    agent = subprocess.Popen([SLUICE, "agent", "-n", "a", "-f", conf], stderr=open(conf + ".log", "a"))
    for _ in range(int(max_wait * 10)):
        if len(lines(out)) >= want:
            break
        time.sleep(0.1)
    time.sleep(1.0)
    agent.send_signal(signal.SIGTERM)
    agent.wait(timeout=30)


SCHEMA = avro.schema.parse('{"type":"record","name":"AvroFlumeEvent","namespace":"org.apache.flume.source.avro",'
                           '"fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}')


def flume_event(body, headers):
    buf = io.BytesIO()
    avro.io.DatumWriter(SCHEMA).write({"headers": headers, "body": body}, avro.io.BinaryEncoder(buf))
    return buf.getvalue()


def regex_and_flume_format(bootstrap, work):
    p = KafkaProducer(bootstrap_servers=bootstrap, api_version=(2, 0, 0))
    for topic in ("ev-a", "ev-b", "other"):
        for i in range(50):
            p.send(topic, value=flume_event(b"%s-%d" % (topic.encode(), i), {"origin": "flume"}))
    p.flush()
    p.close()
    out = os.path.join(work, "out-regex")
    os.makedirs(out)
    conf = os.path.join(work, "regex.properties")
    with open(conf, "w") as f:
        f.write("a.sources = r\na.channels = c\na.sinks = s\n"
                "a.sources.r.type = kafka\na.sources.r.kafka.bootstrap.servers = %s\n"
                "a.sources.r.kafka.topics.regex = ^ev-.*\na.sources.r.kafka.consumer.group.id = sluice-regex\n"
                "a.sources.r.useFlumeEventFormat = true\na.sources.r.topicHeader = src\n"
                "a.sources.r.batchDurationMillis = 200\na.sources.r.channels = c\n"
                "a.channels.c.type = memory\na.channels.c.capacity = 10000\n"
                "a.sinks.s.type = file_roll\na.sinks.s.channel = c\na.sinks.s.sink.directory = %s\n"
                "a.sinks.s.sink.rollInterval = 0\na.sinks.s.sink.serializer = header_and_text\n" % (bootstrap, out))
    run_agent(conf, out, 100)
    got = lines(out)
    want = sorted("%s-%d" % (t, i) for t in ("ev-a", "ev-b") for i in range(50))
    bodies = sorted(l.rsplit(" ", 1)[1] for l in got)
    assert bodies == want, "regex: %d records, first %s" % (len(got), got[:2])
    assert all("origin=flume" in l for l in got), "AvroFlumeEvent headers lost: %s" % got[:2]
    assert all("src=" + l.rsplit(" ", 1)[1].rsplit("-", 1)[0] in l for l in got), "topicHeader: %s" % got[:2]


def main():
    mock = subprocess.Popen([os.path.join(BUILD, "tests", "kafka_mock_cluster"), "1", "in:2", "ev-a:1", "ev-b:1", "other:1"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    bootstrap = mock.stdout.readline().strip()
    work = tempfile.mkdtemp()
    out = os.path.join(work, "out")
    os.makedirs(out)
    try:
        p = KafkaProducer(bootstrap_servers=bootstrap, api_version=(2, 0, 0))
        for i in range(500):
            p.send("in", key=b"k%d" % (i % 3), value=b"record-%d" % i)
        p.flush()
        p.close()
        conf = os.path.join(work, "a.properties")
        with open(conf, "w") as f:
            f.write("a.sources = r\na.channels = c\na.sinks = s\n"
                    "a.sources.r.type = kafka\na.sources.r.kafka.bootstrap.servers = %s\na.sources.r.kafka.topics = in\n"
                    "a.sources.r.kafka.consumer.group.id = sluice-test\na.sources.r.batchSize = 100\n"
                    "a.sources.r.batchDurationMillis = 200\na.sources.r.channels = c\n"
                    "a.channels.c.type = memory\na.channels.c.capacity = 10000\na.channels.c.transactionCapacity = 1000\n"
                    "a.sinks.s.type = file_roll\na.sinks.s.channel = c\na.sinks.s.sink.directory = %s\n"
                    "a.sinks.s.sink.rollInterval = 0\na.sinks.s.sink.serializer = header_and_text\n" % (bootstrap, out))
        run_agent(conf, out, 500)
        got = lines(out)
        bodies = sorted(int(l.rsplit("record-", 1)[1]) for l in got)
        assert bodies == list(range(500)), "got %d records" % len(got)
        assert all("topic=in" in l and ", key=k" in l for l in got), "topic/key headers missing: %s" % got[:2]
        run_agent(conf, out, 501, max_wait=6)  # restart: the committed offsets mean nothing is read again
        assert len(lines(out)) == 500, "records were read twice after a restart: %d" % len(lines(out))
        regex_and_flume_format(bootstrap, work)
        print("PASS: kafka source: 500 records from kafka-python, once, with topic and key headers; "
              "kafka.topics.regex with AvroFlumeEvents and topicHeader")
        return 0
    finally:
        mock.stdin.close()
        mock.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
