"""Helpers shared by the Python integration tests: a free loopback port, and an agent's /metrics."""
import json
import os
import socket
import urllib.request

# Deadlines are multiplied by SLUICE_TEST_TIME_SCALE (a whole number, default 1): the sanitizer
# builds run 3-5x slower and set it (Makefile SAN_ENV). It only lengthens waits for a condition.
TIME_SCALE = int(os.environ.get("SLUICE_TEST_TIME_SCALE", "1"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def metrics(port):
    """The agent's Flume-style JSON metrics, or {} while it does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            return json.load(r)
    except OSError:
        return {}
