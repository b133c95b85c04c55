#!/usr/bin/python3
"""Delivery over SASL and TLS, through tests/peers/kafka_sasl_proxy.py in front of librdkafka's mock
cluster (two brokers; the mock itself has neither SASL nor TLS). One agent: seq -> kafka channel
(PLAIN over SASL_PLAINTEXT, producer and consumer) -> kafka sink (SCRAM-SHA-512 over SASL_SSL,
verifying the proxy's certificate against the test CA) -> topic `out`, read by a kafka source
(SCRAM-SHA-256 over SASL_PLAINTEXT) into file_roll. It runs three times:
  1. the channel's password is wrong: puts fail (none succeeds), the log names the channel;
  2. the channel's is right, the sink's and the source's wrong: the events wait in the channel's
     topic, no batch of the sink succeeds, the log names the sink and the source;
  3. all right, no new events: every event of run 2 reaches `out` once and the file_roll once.
kafka-python reads `out` back through the TLS proxy. No password (right or wrong) is in any log, and
every client error librdkafka reports is logged with the name of the component it belongs to."""
import glob
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

from kafka import KafkaConsumer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_sasl_support import SLUICE, Peers, kafka_python_login  # noqa: E402
from net_support import TIME_SCALE, free_port, metrics  # noqa: E402

N = 500
USER, PASSWORD, WRONG = "sluice", "pw-Right-3c9e", "pw-Wrong-81d0"


def config(work, plain, tls, n, channel_pw, sink_pw, source_pw):
    out = os.path.join(work, "out")
    os.makedirs(out, exist_ok=True)
    text = ("a.sources = r src\na.channels = k m\na.sinks = s roll\n"
            "a.sources.r.type = seq\na.sources.r.totalEvents = %d\na.sources.r.batchSize = 50\n"
            "a.sources.r.channels = k\n"
            "a.channels.k.type = kafka\na.channels.k.kafka.bootstrap.servers = %s\na.channels.k.kafka.topic = buf\n"
            "a.channels.k.deliveryTimeout = 3000\n"
            # The mock cluster lets a group the last member left wait session.timeout.ms - 1 s (45 s
            # by default) before it takes the next member; run 3 joins the group run 2 left.
            "a.channels.k.kafka.consumer.session.timeout.ms = 6000\n"
            "a.sinks.s.type = kafka\na.sinks.s.channel = k\na.sinks.s.kafka.bootstrap.servers = %s\n"
            "a.sinks.s.kafka.topic = out\na.sinks.s.flumeBatchSize = 100\na.sinks.s.deliveryTimeout = 3000\n"
            "a.sinks.s.kafka.producer.ssl.ca.location = %s\n"
            "a.sources.src.type = kafka\na.sources.src.kafka.bootstrap.servers = %s\na.sources.src.kafka.topics = out\n"
            "a.sources.src.kafka.consumer.group.id = readback\na.sources.src.batchDurationMillis = 200\n"
            "a.sources.src.batchSize = 100\n"
            "a.sources.src.channels = m\n"
            "a.channels.m.type = memory\na.channels.m.capacity = 10000\na.channels.m.transactionCapacity = 100\n"
            "a.sinks.roll.type = file_roll\na.sinks.roll.channel = m\na.sinks.roll.sink.directory = %s\n"
            "a.sinks.roll.sink.rollInterval = 0\n"
            % (n, plain, tls, os.path.join(work, "certs", "ca.pem"), plain, out))
    for prefix, proto, mech, pw in (("a.channels.k.kafka.producer.", "SASL_PLAINTEXT", "PLAIN", channel_pw),
                                    ("a.channels.k.kafka.consumer.", "SASL_PLAINTEXT", "PLAIN", channel_pw),
                                    ("a.sinks.s.kafka.producer.", "SASL_SSL", "SCRAM-SHA-512", sink_pw),
                                    ("a.sources.src.kafka.consumer.", "SASL_PLAINTEXT", "SCRAM-SHA-256", source_pw)):
        text += ("%ssecurity.protocol = %s\n%ssasl.mechanisms = %s\n%ssasl.username = %s\n%ssasl.password = %s\n"
                 % (prefix, proto, prefix, mech, prefix, USER, prefix, pw))
    conf = os.path.join(work, "a.properties")
    with open(conf, "w") as f:
        f.write(text)
    return conf, out


RUNNING = []  # agents not yet stopped, killed when the test fails


class Agent:
    def __init__(self, work, run, conf):
        self.port = free_port()
        self.log_path = os.path.join(work, "agent-%d.log" % run)
        self.proc = subprocess.Popen([SLUICE, "agent", "-n", "a", "-f", conf, "--metrics-port", str(self.port),
                                      "--drain-timeout", "2"], stdout=subprocess.DEVNULL,
                                     stderr=open(self.log_path, "w"))
        RUNNING.append(self.proc)

    def metric(self, component, key):
        return int(metrics(self.port).get(component, {}).get(key, 0))

    def log(self):
        return open(self.log_path, errors="replace").read()

    def wait_for(self, what, cond, seconds):
        deadline = time.time() + seconds * TIME_SCALE
        while not cond():
            assert self.proc.poll() is None, "agent exited (%s) waiting for %s" % (self.proc.returncode, what)
            assert time.time() < deadline, "no %s within %d s; log:\n%s" % (what, seconds * TIME_SCALE,
                                                                           self.log()[-4000:])
            time.sleep(0.2)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=60 * TIME_SCALE)
        RUNNING.remove(self.proc)
        assert rc == 0, "agent exited with %d" % rc
        log = self.log()
        for pw in (PASSWORD, WRONG):
            assert pw not in log, "the agent logged a password"
        # librdkafka logs a client error as "|ERROR|rdkafka#..." only when no component took it
        unnamed = re.search(r"^%\d\|[\d.]+\|ERROR\|.*", log, re.M)
        assert unnamed is None, "a client error logged without the component's name: " + unnamed.group(0)
        return log


def auth_error(log, component):
    return re.search(r"\[%s\] .*Authentication failed" % component, log) is not None


def lines(out):
    return [l for p in glob.glob(out + "/*") for l in open(p).read().splitlines()]


def main():
    work = tempfile.mkdtemp(prefix="sluice-kafka-sasl-")
    peers = Peers(work, 2, ["buf:2", "out:2"])
    ok = False
    started = time.time()
    try:
        users = {USER: PASSWORD}
        plain = peers.proxy("plain", users)
        tls = peers.proxy("tls", users, tls=True)

        conf, out = config(work, plain, tls, N, WRONG, PASSWORD, PASSWORD)
        agent = Agent(work, 1, conf)
        agent.wait_for("refused put", lambda: agent.metric("SOURCE.r", "ChannelWriteFail") > 0, 30)
        agent.wait_for("channel error in the log", lambda: auth_error(agent.log(), "k"), 30)
        assert agent.metric("CHANNEL.k", "EventPutSuccessCount") == 0, "a put succeeded with a wrong password"
        agent.stop()
        print("run 1: wrong channel password: puts refused, log: %s" %
              re.search(r"\[k\] .*Authentication failed[^\n]*", agent.log()).group(0)[:200])

        conf, out = config(work, plain, tls, N, PASSWORD, WRONG, WRONG)
        agent = Agent(work, 2, conf)
        agent.wait_for("%d events put" % N, lambda: agent.metric("CHANNEL.k", "EventPutSuccessCount") >= N, 60)
        agent.wait_for("sink and source errors in the log",
                       lambda: auth_error(agent.log(), "s") and auth_error(agent.log(), "src"), 30)
        agent.wait_for("a failed sink batch", lambda: agent.metric("SINK.s", "EventWriteFail") > 0, 30)
        assert agent.metric("SINK.s", "EventDrainSuccessCount") == 0, "a sink batch succeeded with a wrong password"
        agent.stop()
        assert lines(out) == [], "events arrived although sink and source could not log in"
        print("run 2: %d events in the channel; wrong sink/source password: no batch succeeded" % N)

        conf, out = config(work, plain, tls, 0, PASSWORD, PASSWORD, PASSWORD)
        agent = Agent(work, 3, conf)
        agent.wait_for("%d events in file_roll" % N, lambda: len(lines(out)) >= N, 90)
        time.sleep(1)
        agent.stop()
        got = sorted(int(l) for l in lines(out))
        assert got == list(range(N)), "file_roll: %d events, %d distinct" % (len(got), len(set(got)))

        login = kafka_python_login(tls, "SCRAM-SHA-512", USER, PASSWORD, ca=os.path.join(peers.certs, "ca.pem"))
        c = KafkaConsumer("out", auto_offset_reset="earliest", consumer_timeout_ms=5000 * TIME_SCALE, **login)
        read = sorted(int(m.value) for m in c)
        c.close()
        assert read == list(range(N)), "topic out: %d records, %d distinct" % (len(read), len(set(read)))

        proxy_log = open(peers.proxy_log("plain")).read() + open(peers.proxy_log("tls")).read()
        for mech in ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"):
            assert "authenticated %s via %s (SaslHandshake v1)" % (USER, mech) in proxy_log, \
                "the proxy saw no %s login by sluice" % mech
        print("PASS: kafka over SASL/TLS through the proxy: channel (PLAIN), sink (SCRAM-SHA-512, SASL_SSL) and "
              "source (SCRAM-SHA-256) delivered %d of %d events once; wrong passwords refused and named in the "
              "log, nothing lost; no password in the agent log (%.0f s)" % (len(got), N, time.time() - started))
        ok = True
        return 0
    finally:
        for p in RUNNING:
            p.kill()
            p.wait()
        peers.stop(ok)


if __name__ == "__main__":
    sys.exit(main())
