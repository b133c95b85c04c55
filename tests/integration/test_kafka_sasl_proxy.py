#!/usr/bin/python3
"""The SASL/TLS proxy for the mock cluster (tests/peers/kafka_sasl_proxy.py) checked with an
independent client before sluice is tested through it: kafka-python (SaslHandshake v0, bare SASL
frames) produces and consumes through a two-broker cluster with PLAIN, SCRAM-SHA-256 and
SCRAM-SHA-512 over SASL_PLAINTEXT and SCRAM-SHA-512 over SASL_SSL (so Metadata and FindCoordinator
answers point at the proxy: the mock itself refuses SASL). A wrong password gets no records; on the
wire (SaslHandshake/SaslAuthenticate v1, as librdkafka uses them) it is error 58 and the connection
is closed; an unknown mechanism is error 33; a request before logging in closes the connection; the
ApiVersions answer lists keys 17 and 36 and the capped Metadata / FindCoordinator versions."""
import os
import socket
import struct
import sys
import tempfile

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaTimeoutError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_sasl_support import Peers, kafka_python_login  # noqa: E402
from net_support import TIME_SCALE  # noqa: E402

USER, PASSWORD = "alice", "alice-secret"


def round_trip(bootstrap, topic, mechanism, ca=None, n=50):
    login = kafka_python_login(bootstrap, mechanism, USER, PASSWORD, ca)
    p = KafkaProducer(**login)
    for i in range(n):
        p.send(topic, value=b"%d" % i)
    p.flush(timeout=30 * TIME_SCALE)
    p.close()
    c = KafkaConsumer(topic, group_id="g-" + topic, auto_offset_reset="earliest",
                      consumer_timeout_ms=10000 * TIME_SCALE, **login)
    got = []
    for m in c:
        got.append(int(m.value))
        if len(got) >= n:
            break
    c.close()
    assert sorted(got) == list(range(n)), "%s on %s: %d of %d records back" % (mechanism, topic, len(got), n)


def request(key, version, correlation, body):
    frame = struct.pack(">hhih", key, version, correlation, 4) + b"test" + body
    return struct.pack(">i", len(frame)) + frame


def kstring(s):
    return struct.pack(">h", len(s)) + s.encode()


def answer(sock):
    """One response frame, or None once the proxy closed the connection."""
    data = b""
    while len(data) < 4 or len(data) < 4 + struct.unpack(">i", data[:4])[0]:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    return data[4:]


def wire_checks(host, port):
    with socket.create_connection((host, port), timeout=10 * TIME_SCALE) as s:
        s.sendall(request(18, 0, 1, b""))  # ApiVersions v0: allowed before logging in
        body = answer(s)[4:]
        count = struct.unpack(">i", body[2:6])[0]
        keys = {k: (lo, hi) for k, lo, hi in struct.iter_unpack(">hhh", body[6:6 + 6 * count])}
        assert keys.get(17) == (0, 1) and keys.get(36) == (0, 1), "ApiVersions lacks the SASL keys: %s" % keys
        assert keys[3][1] <= 8 and keys[10][1] <= 2, "Metadata / FindCoordinator not capped: %s" % keys
        s.sendall(request(3, 1, 2, struct.pack(">i", -1)))  # Metadata before logging in
        assert answer(s) is None, "a Metadata request before authentication was answered"
    with socket.create_connection((host, port), timeout=10 * TIME_SCALE) as s:
        s.sendall(request(17, 1, 1, kstring("GSSAPI")))
        corr, error = struct.unpack(">ih", answer(s)[:6])
        assert (corr, error) == (1, 33), "unknown mechanism: correlation %d error %d" % (corr, error)
    with socket.create_connection((host, port), timeout=10 * TIME_SCALE) as s:
        s.sendall(request(17, 1, 1, kstring("PLAIN")))
        corr, error = struct.unpack(">ih", answer(s)[:6])
        assert (corr, error) == (1, 0), "SaslHandshake PLAIN: error %d" % error
        token = b"\0%s\0wrong-password" % USER.encode()
        s.sendall(request(36, 1, 2, struct.pack(">i", len(token)) + token))
        corr, error = struct.unpack(">ih", answer(s)[:6])
        assert (corr, error) == (2, 58), "wrong password: correlation %d error %d, not 58" % (corr, error)
        assert answer(s) is None, "the connection stayed open after a failed login"


def main():
    work = tempfile.mkdtemp(prefix="sluice-kafka-sasl-proxy-")
    peers = Peers(work, 2, ["plain:2", "s256:2", "s512:2", "tls:2", "refused:1"])
    ok = False
    try:
        plain = peers.proxy("plain", {USER: PASSWORD, "bob": "bob-secret"})
        tls = peers.proxy("tls", {USER: PASSWORD}, tls=True)
        assert len(plain.split(",")) == 2, "one listener per broker: %s" % plain
        for topic, mechanism in (("plain", "PLAIN"), ("s256", "SCRAM-SHA-256"), ("s512", "SCRAM-SHA-512")):
            round_trip(plain, topic, mechanism)
        round_trip(tls, "tls", "SCRAM-SHA-512", ca=os.path.join(peers.certs, "ca.pem"))
        for mechanism in ("PLAIN", "SCRAM-SHA-256"):
            login = kafka_python_login(plain, mechanism, USER, "wrong-password")
            p = KafkaProducer(max_block_ms=3000, **login)
            try:
                p.send("refused", value=b"x").get(timeout=5)
                raise AssertionError("%s with a wrong password delivered a record" % mechanism)
            except KafkaTimeoutError:
                pass
            p.close(timeout=5)
        host, port = plain.split(",")[0].rsplit(":", 1)
        wire_checks(host, int(port))
        log = open(peers.proxy_log("plain")).read() + open(peers.proxy_log("tls")).read()
        for mechanism in ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"):
            assert "authenticated alice via %s" % mechanism in log, "no %s login in the proxy log" % mechanism
            assert "%s login refused" % mechanism in log or mechanism == "SCRAM-SHA-512", log
        assert PASSWORD not in log and "wrong-password" not in log, "the proxy logged a password"
        print("PASS: kafka-python through the SASL proxy: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (SASL_PLAINTEXT, "
              "2 brokers) and SCRAM-SHA-512 over SASL_SSL; wrong password refused (error 58, connection closed), "
              "unknown mechanism 33, no request before login, ApiVersions rewritten")
        ok = True
        return 0
    finally:
        peers.stop(ok)


if __name__ == "__main__":
    sys.exit(main())
