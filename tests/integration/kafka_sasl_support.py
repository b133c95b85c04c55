"""Shared helpers for the Kafka SASL/TLS tests: librdkafka's mock cluster with the SASL proxy
(tests/peers/kafka_sasl_proxy.py) in front of it, the test CA, and kafka-python settings to log in."""
import os
import shutil
import subprocess
import sys

SRC = os.environ.get("SLUICE_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
BUILD = os.environ.get("SLUICE_BUILD_DIR", os.path.join(SRC, "build"))
SLUICE = os.environ.get("SLUICE_BIN", os.path.join(BUILD, "sluice"))
PEERS = os.path.join(SRC, "tests/peers")


class Peers:
    """The mock cluster and any proxies in front of it; stop() ends them all."""

    def __init__(self, work, brokers, topics):
        self.work, self.procs = work, []
        self.mock = self.start([os.path.join(BUILD, "tests", "kafka_mock_cluster"), str(brokers), *topics])
        self.upstream = self.mock.stdout.readline().strip()
        assert self.upstream, "mock cluster did not start"
        self.certs = None

    def start(self, argv, log=None):
        p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             stderr=open(log, "w") if log else None)
        self.procs.append(p)
        return p

    def make_certs(self):
        if self.certs is None:
            self.certs = os.path.join(self.work, "certs")
            subprocess.run(["bash", os.path.join(PEERS, "make-test-certs.sh"), self.certs], check=True)
        return self.certs

    def proxy(self, name, users, tls=False):
        """Starts a proxy (log in WORK/proxy-NAME.log) for {user: password}; returns its bootstrap
        servers. TLS uses the test CA's server certificate, for localhost (its name in the cert)."""
        argv = [sys.executable, os.path.join(PEERS, "kafka_sasl_proxy.py"), "--upstream", self.upstream]
        for user, password in users.items():
            argv += ["--user", "%s:%s" % (user, password)]
        if tls:
            certs = self.make_certs()
            argv += ["--tls", os.path.join(certs, "server.pem"), os.path.join(certs, "server.key"),
                     "--advertise", "localhost"]
        p = self.start(argv, log=self.proxy_log(name))
        bootstrap = p.stdout.readline().strip()
        assert bootstrap, "proxy %s did not start: %s" % (name, open(self.proxy_log(name)).read())
        return bootstrap

    def proxy_log(self, name):
        return os.path.join(self.work, "proxy-%s.log" % name)

    def stop(self, passed):
        """Ends the peers; removes the work directory if the test passed, else says where it is."""
        for p in reversed(self.procs):
            if p.poll() is None:
                p.stdin.close()
                p.terminate()
            p.wait(timeout=30)
        if passed:
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            print("logs kept in", self.work)


def kafka_python_login(bootstrap, mechanism, user, password, ca=None):
    """Keyword arguments for kafka-python's KafkaProducer / KafkaConsumer."""
    kw = dict(bootstrap_servers=bootstrap, sasl_mechanism=mechanism, sasl_plain_username=user,
              sasl_plain_password=password, api_version=(2, 0, 0),
              security_protocol="SASL_SSL" if ca else "SASL_PLAINTEXT")
    if ca:
        kw["ssl_cafile"] = ca
    return kw
