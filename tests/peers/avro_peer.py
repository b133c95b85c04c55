#!/usr/bin/python3
"""An independent Flume Avro RPC peer built on python3-avro's IPC (Requestor / Responder), with the
Netty transceiver framing Flume uses (int32 serial, int32 count, then length-prefixed buffers)
written here. It states Flume's protocol itself, so sluice is checked against a second reading of
the specification, not against its own code.

  avro_peer.py client HOST PORT COUNT [--deflate] [--batch N]   send COUNT events (binary bodies, headers)
  avro_peer.py server PORT OUTFILE [--deflate]                   receive events, append JSON lines to OUTFILE
TLS (Python's ssl module; TLS outside, deflate inside, as Flume's Netty pipeline):
  client: --tls-ca CAFILE (verifies the server and its name)   server: --tls-cert PEM --tls-key PEM
The server prints "listening" when ready and runs until killed."""
import io
import json
import socket
import ssl
import struct
import sys
import zlib

import avro.io
import avro.ipc
import avro.protocol

PROTOCOL = avro.protocol.parse(json.dumps({
    "protocol": "AvroSourceProtocol",
    "namespace": "org.apache.flume.source.avro",
    "types": [
        {"type": "enum", "name": "Status", "symbols": ["OK", "FAILED", "UNKNOWN"]},
        {"type": "record", "name": "AvroFlumeEvent",
         "fields": [{"name": "headers", "type": {"type": "map", "values": "string"}},
                    {"name": "body", "type": "bytes"}]},
    ],
    "messages": {
        "append": {"request": [{"name": "event", "type": "AvroFlumeEvent"}], "response": "Status"},
        "appendBatch": {"request": [{"name": "events", "type": {"type": "array", "items": "AvroFlumeEvent"}}],
                        "response": "Status"},
    },
}))


class Stream:
    """A socket, optionally carrying one zlib stream per direction (compression-type = deflate)."""

    def __init__(self, sock, deflate):
        self.sock = sock
        self.comp = zlib.compressobj() if deflate else None
        self.decomp = zlib.decompressobj() if deflate else None
        self.buf = b""

    def send(self, data):
        if self.comp:
            data = self.comp.compress(data) + self.comp.flush(zlib.Z_SYNC_FLUSH)
        self.sock.sendall(data)

    def read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += self.decomp.decompress(chunk) if self.decomp else chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def write_frame(stream, serial, payload):
    stream.send(struct.pack(">ii", serial, 1) + struct.pack(">i", len(payload)) + payload)


def read_frame(stream):
    serial, count = struct.unpack(">ii", stream.read(8))
    parts = []
    for _ in range(count):
        (n,) = struct.unpack(">i", stream.read(4))
        parts.append(stream.read(n))
    return serial, b"".join(parts)


class NettyTransceiver:
    """Python's Requestor sends a handshake with every call, while Flume's Netty transport expects
    one per connection: so each call gets a fresh connection."""

    def __init__(self, host, port, deflate, tls=None):
        self.host, self.port, self.deflate, self.tls = host, port, deflate, tls
        self.remote_name = "%s:%d" % (host, port)
        self.serial = 0

    def transceive(self, request):
        s = socket.create_connection((self.host, self.port), timeout=30)
        if self.tls:
            s = self.tls.wrap_socket(s, server_hostname=self.host)
        try:
            stream = Stream(s, self.deflate)
            self.serial += 1
            write_frame(stream, self.serial, request)
            serial, payload = read_frame(stream)
            assert serial == self.serial, "response serial %d for request %d" % (serial, self.serial)
            return payload
        finally:
            s.close()


def client(host, port, count, deflate, batch, tls=None):
    requestor = avro.ipc.Requestor(PROTOCOL, NettyTransceiver(host, port, deflate, tls))
    sent = 0
    while sent < count:
        events = []
        for i in range(sent, min(count, sent + batch)):
            body = ("event-%d " % i).encode() + bytes([i % 256, 0, 255]) + "é".encode()
            events.append({"headers": {"seq": str(i), "peer": "python-avro"}, "body": body})
        status = requestor.request("appendBatch", {"events": events})
        if status != "OK":
            print("server answered %s at %d" % (status, sent), file=sys.stderr)
            return 1
        sent += len(events)
    print("sent %d" % sent)
    return 0


class Sink(avro.ipc.Responder):
    def __init__(self, out):
        super().__init__(PROTOCOL)
        self.out = out

    def invoke(self, message, request):
        events = request["events"] if message.name == "appendBatch" else [request["event"]]
        with open(self.out, "a") as f:
            for e in events:
                f.write(json.dumps({"headers": e["headers"], "body": e["body"].hex()}) + "\n")
        return "OK"


def server(port, out, deflate, tls=None):
    responder = Sink(out)
    handshake_writer = avro.io.DatumWriter(avro.ipc.HANDSHAKE_REQUEST_SCHEMA)
    handshake_reader = avro.io.DatumReader(avro.ipc.HANDSHAKE_RESPONSE_SCHEMA)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(16)
    print("listening", flush=True)
    while True:
        conn, _ = ls.accept()
        if tls:
            try:
                conn = tls.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as e:
                print("TLS handshake failed: %s" % e, file=sys.stderr, flush=True)
                conn.close()
                continue
        stream = Stream(conn, deflate)
        client_hash = None
        try:
            while True:
                serial, payload = read_frame(stream)
                if client_hash is None:
                    client_hash = payload[:16]  # the handshake comes first on a connection
                    reply = responder.respond(payload)
                else:
                    # Later calls carry no handshake (stateful transport): give the stateless Python
                    # Responder the one it expects, and strip its answer.
                    buf = io.BytesIO()
                    handshake_writer.write({"clientHash": client_hash, "serverHash": responder.local_hash,
                                            "clientProtocol": None, "meta": None}, avro.io.BinaryEncoder(buf))
                    full = responder.respond(buf.getvalue() + payload)
                    r = io.BytesIO(full)
                    handshake_reader.read(avro.io.BinaryDecoder(r))
                    reply = full[r.tell():]
                write_frame(stream, serial, reply)
        except (EOFError, ConnectionError, ssl.SSLError):
            conn.close()


def main(argv):
    deflate = "--deflate" in argv
    batch = int(argv[argv.index("--batch") + 1]) if "--batch" in argv else 100
    opt = lambda name: argv[argv.index(name) + 1] if name in argv else None
    if argv[1] == "client":
        tls = None
        if opt("--tls-ca"):
            tls = ssl.create_default_context(cafile=opt("--tls-ca"))
        return client(argv[2], int(argv[3]), int(argv[4]), deflate, batch, tls)
    if argv[1] == "server":
        tls = None
        if opt("--tls-cert"):
            tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls.load_cert_chain(opt("--tls-cert"), opt("--tls-key"))
        return server(int(argv[2]), argv[3], deflate, tls)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
