#!/usr/bin/python3
"""SASL settings of the kafka channel and sink (kafka.producer.* / kafka.consumer.* passed to
librdkafka): the password appears neither in `check-config` output nor in the agent's log while it
runs against a broker that refuses the login. Here the broker is librdkafka 2.0.2's mock cluster
itself, which answers no SaslHandshake, so every connection fails to authenticate and the channel
refuses puts (backpressure, the seq source retries). Delivery over SASL and TLS, and wrong passwords
against a broker that does speak SASL, are in test_kafka_sasl_delivery (through the SASL proxy)."""
import os
import signal
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("SLUICE_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
SLUICE = os.environ.get("SLUICE_BIN", os.path.join(BUILD, "sluice"))
PASSWORD = "pw-Do-Not-Print-7f3a"


def main():
    mock = subprocess.Popen([os.path.join(BUILD, "tests", "kafka_mock_cluster"), "1", "buf:1", "out:1"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    bootstrap = mock.stdout.readline().strip()
    work = tempfile.mkdtemp()
    conf = os.path.join(work, "a.properties")
    text = ("a.sources = r\na.channels = k\na.sinks = s\n"
            "a.sources.r.type = seq\na.sources.r.totalEvents = 100\na.sources.r.channels = k\n"
            "a.channels.k.type = kafka\na.channels.k.kafka.bootstrap.servers = %s\na.channels.k.kafka.topic = buf\n"
            "a.channels.k.deliveryTimeout = 1000\n"
            "a.sinks.s.type = kafka\na.sinks.s.channel = k\na.sinks.s.kafka.bootstrap.servers = %s\n"
            "a.sinks.s.kafka.topic = out\n" % (bootstrap, bootstrap))
    for prefix, mech in (("a.channels.k.kafka.producer.", "PLAIN"), ("a.channels.k.kafka.consumer.", "PLAIN"),
                         ("a.sinks.s.kafka.producer.", "SCRAM-SHA-256")):
        text += ("%ssecurity.protocol = SASL_PLAINTEXT\n%ssasl.mechanisms = %s\n%ssasl.username = sluice\n"
                 "%ssasl.password = %s\n" % (prefix, prefix, mech, prefix, prefix, PASSWORD))
    with open(conf, "w") as f:
        f.write(text)
    try:
        check = subprocess.run([SLUICE, "check-config", "-f", conf, "-n", "a"], capture_output=True, text=True)
        out = check.stdout + check.stderr
        assert check.returncode == 0 and "configuration OK" in out, out
        assert PASSWORD not in out, "check-config printed the password:\n" + out
        # A typo in a neighbouring key: the error names the key, still without the password.
        with open(conf + ".typo", "w") as f:
            f.write(text + "a.sinks.s.kafka.producer.sasl.pasword = %s\n" % PASSWORD)
        check = subprocess.run([SLUICE, "check-config", "-f", conf + ".typo", "-n", "a"], capture_output=True, text=True)
        out = check.stdout + check.stderr
        assert check.returncode != 0 and "sasl.pasword" in out, out
        assert PASSWORD not in out, "check-config printed the password:\n" + out

        log_path = conf + ".log"
        agent = subprocess.Popen([SLUICE, "agent", "-n", "a", "-f", conf, "--log-level", "DEBUG",
                                  "--drain-timeout", "1"], stderr=open(log_path, "w"))
        time.sleep(4)  # the channel and sink connect, fail to authenticate, retry; puts are refused
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=60)
        log = open(log_path).read()
        assert "SASL" in log, "no SASL connection attempt in the log:\n" + log[-3000:]
        assert PASSWORD not in log, "the agent logged the password"
        print("PASS: kafka SASL password absent from check-config output and %d bytes of agent log" % len(log))
        return 0
    finally:
        mock.stdin.close()
        mock.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
