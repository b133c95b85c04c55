#!/usr/bin/python3
"""A SASL (and optionally TLS) front for librdkafka's mock cluster, which has neither: one loopback
listener per mock broker. It answers SaslHandshake (v0/v1) and SaslAuthenticate (v0/v1) itself, as
the server side of PLAIN and SCRAM-SHA-256/512 for the users on its command line, closes a
connection that sends anything else but ApiVersions before it has logged in, and forwards every
other request to its broker. It rewrites only the ApiVersions response (adds keys 17 and 36, caps
Metadata and FindCoordinator at their last non-flexible versions so it can parse them) and the
broker addresses in Metadata and FindCoordinator responses, so clients stay on the proxy.

usage: kafka_sasl_proxy.py --upstream HOST:PORT[,HOST:PORT...] --user NAME:PASSWORD [--user ...]
         [--mechanisms PLAIN,SCRAM-SHA-256,SCRAM-SHA-512] [--tls CERT KEY] [--advertise HOST]
Prints the proxy's bootstrap servers on one line (ports chosen by the system), logs each login to
standard error, and runs until its standard input closes or it gets SIGTERM."""
import argparse
import selectors
import signal
import socket
import ssl
import struct
import sys

from kafka_sasl_server import MECHANISMS, AuthFailed, make_authenticator, scram_credentials
from kafka_wire import (API_VERSIONS, ILLEGAL_SASL_STATE, RESPONSE_REWRITES, SASL_AUTHENTICATE,
                        SASL_AUTHENTICATION_FAILED, SASL_HANDSHAKE, UNSUPPORTED_SASL_MECHANISM, VERSION_CAPS,
                        Reader, string)


def log(msg):
    print("kafka_sasl_proxy: " + msg, file=sys.stderr, flush=True)


class Connection:
    """One client connection and its connection to the mock broker. Everything is non-blocking and
    driven by the proxy's one selector loop; TLS goes through memory BIOs so a socket is only ever
    read and written as plain bytes."""

    def __init__(self, proxy, sock, listener):
        self.proxy, self.sock, self.listener = proxy, sock, listener
        self.tls, self.handshaken = None, False
        if proxy.tls_context:
            self.bio_in, self.bio_out = ssl.MemoryBIO(), ssl.MemoryBIO()
            self.tls = proxy.tls_context.wrap_bio(self.bio_in, self.bio_out, server_side=True)
        self.upstream = None
        self.client_in = self.client_out = self.up_in = self.up_out = b""
        self.pending = {}  # correlation id -> (api key, version) of requests whose answer is rewritten
        self.authenticator = None
        self.raw_sasl = False  # after SaslHandshake v0 the tokens come as bare length-prefixed frames
        self.user = None
        self.closing = False
        self.peer = "%s:%d" % sock.getpeername()[:2]

    # --- client side
    def on_client_readable(self):
        data = self.sock.recv(65536)
        if not data:
            return self.close()
        if self.tls:
            self.bio_in.write(data)
            try:
                if not self.handshaken:
                    self.tls.do_handshake()
                    self.handshaken = True
                while True:
                    chunk = self.tls.read(65536)
                    if not chunk:
                        return self.close()
                    self.client_in += chunk
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLZeroReturnError:
                return self.close()
            except ssl.SSLError as e:
                log("%s: TLS error: %s" % (self.peer, e))
                return self.close()
            self.client_out += self.bio_out.read()
        else:
            self.client_in += data
        while len(self.client_in) >= 4 and not self.closing:
            size = struct.unpack(">i", self.client_in[:4])[0]
            if len(self.client_in) < 4 + size:
                break
            frame, self.client_in = self.client_in[4:4 + size], self.client_in[4 + size:]
            self.on_request(frame)
        self.proxy.update(self)

    def send_to_client(self, frame):
        data = struct.pack(">i", len(frame)) + frame
        if self.tls:
            self.tls.write(data)
            data = self.bio_out.read()
        self.client_out += data

    def on_request(self, frame):
        if self.raw_sasl:
            return self.sasl_step(frame, raw=True)
        key, version, correlation = struct.unpack(">hhi", frame[:8])
        if key == SASL_HANDSHAKE:
            return self.on_handshake(frame, version, correlation)
        if key == SASL_AUTHENTICATE:
            return self.on_authenticate(frame, version, correlation)
        if self.user is None and key != API_VERSIONS:
            log("%s: request (ApiKey %d) before authentication; connection closed" % (self.peer, key))
            return self.close()
        if key in RESPONSE_REWRITES:
            if version > VERSION_CAPS.get(key, version):
                log("%s: ApiKey %d v%d is above the proxy's cap; its answer is passed on as it is"
                    % (self.peer, key, version))
            else:
                self.pending[correlation] = (key, version)
        if self.upstream is None:
            self.upstream = socket.create_connection(self.listener.upstream)
            self.upstream.setblocking(False)
            self.proxy.register_upstream(self)
        self.up_out += struct.pack(">i", len(frame)) + frame

    @staticmethod
    def request_body(frame):
        r = Reader(frame, 8)
        r.string()  # client_id
        return r

    def on_handshake(self, frame, version, correlation):
        mechanism = self.request_body(frame).string()
        error = 0
        if self.user is not None or self.authenticator is not None:
            error = ILLEGAL_SASL_STATE
        elif mechanism not in self.proxy.mechanisms:
            error = UNSUPPORTED_SASL_MECHANISM
        mechanisms = b"".join(string(m) for m in self.proxy.mechanisms)
        self.send_to_client(struct.pack(">ihi", correlation, error, len(self.proxy.mechanisms)) + mechanisms)
        if error:
            log("%s: SaslHandshake v%d for %s refused (error %d)" % (self.peer, version, mechanism, error))
            self.closing = True
            return
        self.authenticator = make_authenticator(mechanism, self.proxy.credentials)
        self.raw_sasl = version == 0

    def on_authenticate(self, frame, version, correlation):
        if self.authenticator is None or self.raw_sasl or self.user is not None:
            log("%s: SaslAuthenticate out of order; connection closed" % self.peer)
            return self.close()
        token = self.request_body(frame).bytes_() or b""
        self.sasl_step(token, raw=False, version=version, correlation=correlation)

    def sasl_step(self, token, raw, version=0, correlation=0):
        mechanism = self.authenticator.mechanism
        try:
            reply, user = self.authenticator.step(token)
            error, message = 0, None
        except (AuthFailed, ValueError) as e:
            reply, user, error, message = b"", None, SASL_AUTHENTICATION_FAILED, str(e)
        if raw:
            if error:  # a v0 client learns of a failure only by the connection closing
                self.closing = True
            else:
                self.send_to_client(reply)
        else:
            body = struct.pack(">ih", correlation, error) + string(message) + struct.pack(">i", len(reply)) + reply
            if version >= 1:
                body += struct.pack(">q", 0)  # session_lifetime_ms: no re-authentication
            self.send_to_client(body)
            self.closing = bool(error)
        if error:
            log("%s: %s login refused: %s" % (self.peer, mechanism, message))
        elif user is not None:
            self.user, self.authenticator, self.raw_sasl = user, None, False
            log("%s: authenticated %s via %s (SaslHandshake v%d)" % (self.peer, user, mechanism, 0 if raw else 1))

    # --- broker side
    def on_upstream_readable(self):
        data = self.upstream.recv(65536)
        if not data:
            return self.close()
        self.up_in += data
        while len(self.up_in) >= 4:
            size = struct.unpack(">i", self.up_in[:4])[0]
            if len(self.up_in) < 4 + size:
                break
            frame, self.up_in = self.up_in[4:4 + size], self.up_in[4 + size:]
            correlation = struct.unpack(">i", frame[:4])[0]
            if correlation in self.pending:
                key, version = self.pending.pop(correlation)
                # response header v0 (correlation id only): ApiVersions always, the others below their caps
                frame = frame[:4] + RESPONSE_REWRITES[key](version, frame[4:], self.proxy.advertised)
            self.send_to_client(frame)
        self.proxy.update(self)

    def flush(self, which):
        buf = self.client_out if which == "client" else self.up_out
        sock = self.sock if which == "client" else self.upstream
        try:
            sent = sock.send(buf)
        except BlockingIOError:
            return
        if which == "client":
            self.client_out = self.client_out[sent:]
            if self.closing and not self.client_out:
                self.close()
        else:
            self.up_out = self.up_out[sent:]

    def close(self):
        self.closing = True  # no further frame of this client is handled
        self.proxy.unregister(self)
        for s in (self.sock, self.upstream):
            if s is not None:
                s.close()


class Listener:
    def __init__(self, upstream, advertise):
        self.upstream = upstream
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.address = (advertise, self.sock.getsockname()[1])


class Proxy:
    def __init__(self, args):
        self.mechanisms = args.mechanisms.split(",")
        for m in self.mechanisms:
            if m not in MECHANISMS:
                sys.exit("kafka_sasl_proxy: unknown mechanism %s (known: %s)" % (m, ", ".join(MECHANISMS)))
        self.credentials = scram_credentials(dict(u.split(":", 1) for u in args.user))
        self.tls_context = None
        if args.tls:
            self.tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls_context.load_cert_chain(*args.tls)
        self.selector = selectors.DefaultSelector()
        self.listeners = []
        for hostport in args.upstream.split(","):
            host, port = hostport.rsplit(":", 1)
            listener = Listener((host, int(port)), args.advertise)
            self.listeners.append(listener)
            self.selector.register(listener.sock, selectors.EVENT_READ, ("accept", listener))
        self.by_upstream = {l.upstream: l.address for l in self.listeners}

    def advertised(self, address):
        if address not in self.by_upstream:
            log("broker %s:%d has no listener; its address is passed on as it is" % address)
        return self.by_upstream.get(address, address)

    def register_upstream(self, conn):
        self.selector.register(conn.upstream, selectors.EVENT_READ, ("upstream", conn))

    def update(self, conn):
        """Asks for writability while a side has bytes queued, and sends what it can at once."""
        for which, sock, buf in (("client", conn.sock, conn.client_out), ("upstream", conn.upstream, conn.up_out)):
            if sock is None or sock.fileno() < 0:
                continue
            if buf:
                conn.flush(which)
            if sock.fileno() < 0:
                return
            queued = conn.client_out if which == "client" else conn.up_out
            events = selectors.EVENT_READ | (selectors.EVENT_WRITE if queued else 0)
            self.selector.modify(sock, events, (which, conn))

    def unregister(self, conn):
        for s in (conn.sock, conn.upstream):
            if s is not None and s.fileno() >= 0:
                try:
                    self.selector.unregister(s)
                except KeyError:
                    pass

    def run(self):
        stop = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
        self.selector.register(sys.stdin, selectors.EVENT_READ, ("stdin", None))
        print(",".join("%s:%d" % l.address for l in self.listeners), flush=True)
        while not stop:
            for key, events in self.selector.select(timeout=0.5):
                kind, obj = key.data
                try:
                    self.dispatch(kind, obj, events)
                except (OSError, ValueError, struct.error) as e:
                    if kind not in ("client", "upstream"):
                        raise
                    log("%s: %s; connection closed" % (obj.peer, e))
                    obj.close()
                if kind == "stdin" and not sys.stdin.readline():
                    return

    def dispatch(self, kind, obj, events):
        if kind == "accept":
            try:
                sock, _ = obj.sock.accept()
            except BlockingIOError:
                return
            sock.setblocking(False)
            conn = Connection(self, sock, obj)
            self.selector.register(sock, selectors.EVENT_READ, ("client", conn))
        elif kind in ("client", "upstream"):
            sock, on_readable = ((obj.sock, obj.on_client_readable) if kind == "client"
                                 else (obj.upstream, obj.on_upstream_readable))
            if events & selectors.EVENT_WRITE:
                obj.flush(kind)
            if events & selectors.EVENT_READ and sock.fileno() >= 0:
                on_readable()
            if obj.sock.fileno() >= 0:
                self.update(obj)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--upstream", required=True, help="the mock brokers, HOST:PORT,...")
    p.add_argument("--user", action="append", required=True, help="NAME:PASSWORD (repeatable)")
    p.add_argument("--mechanisms", default=",".join(MECHANISMS))
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="terminate TLS with this certificate")
    p.add_argument("--advertise", default="127.0.0.1", help="host name given to clients in Metadata")
    Proxy(p.parse_args()).run()


if __name__ == "__main__":
    main()
