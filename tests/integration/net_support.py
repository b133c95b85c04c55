"""Helpers shared by the Python integration tests: a free loopback port, and an agent's /metrics."""
import json
import socket
import urllib.request


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
