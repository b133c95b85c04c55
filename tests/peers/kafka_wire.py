"""Kafka's wire format as far as kafka_sasl_proxy.py needs it: the classic (non-flexible)
encodings, and the three answers it rewrites: ApiVersions (the SASL keys added, versions capped to
what it parses) and the broker addresses in Metadata (v0-v8) and FindCoordinator (v0-v2).
Field layouts from Kafka's protocol spec (clients/src/main/resources/common/message/*.json)."""
import struct

API_VERSIONS, METADATA, FIND_COORDINATOR, SASL_HANDSHAKE, SASL_AUTHENTICATE = 18, 3, 10, 17, 36
# Highest versions with a non-flexible (classic) encoding; only those are parsed.
VERSION_CAPS = {METADATA: 8, FIND_COORDINATOR: 2}
ADDED_KEYS = {SASL_HANDSHAKE: (0, 1), SASL_AUTHENTICATE: (0, 1)}
UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE, SASL_AUTHENTICATION_FAILED = 33, 34, 58


class Reader:
    """Kafka's classic encodings, read from a bytes object."""

    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("truncated message")
        self.pos += n
        return self.data[self.pos - n:self.pos]

    def int16(self):
        return struct.unpack(">h", self.take(2))[0]

    def int32(self):
        return struct.unpack(">i", self.take(4))[0]

    def string(self):
        n = self.int16()
        return None if n < 0 else self.take(n).decode()

    def bytes_(self):
        n = self.int32()
        return None if n < 0 else self.take(n)

    def uvarint(self):
        shift = value = 0
        while True:
            b = self.take(1)[0]
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7

    def skip_tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())


def string(s):
    if s is None:
        return struct.pack(">h", -1)
    b = s.encode()
    return struct.pack(">h", len(b)) + b


def uvarint(v):
    out = b""
    while v >= 0x80:
        out += bytes([v & 0x7F | 0x80])
        v >>= 7
    return out + bytes([v])


def rewrite_api_versions(version, body):
    """Adds the SASL keys and caps the versions the proxy parses. ApiVersions v3+ has a flexible
    body (compact array, tagged fields) but, so that any client can read it, a v0 header."""
    r = Reader(body)
    if r.int16() != 0:
        return body  # an error answer (e.g. UNSUPPORTED_VERSION) is v0-encoded; the client retries
    flexible = version >= 3
    count = r.uvarint() - 1 if flexible else r.int32()
    entries = []
    for _ in range(count):
        key, lo, hi = struct.unpack(">hhh", r.take(6))
        start = r.pos
        if flexible:
            r.skip_tags()
        entries.append([key, lo, hi, body[start:r.pos]])
    entries = [e for e in entries if e[0] not in ADDED_KEYS]
    for e in entries:
        e[2] = min(e[2], VERSION_CAPS.get(e[0], e[2]))
    for key, (lo, hi) in ADDED_KEYS.items():
        entries.append([key, lo, hi, b"\x00" if flexible else b""])
    out = struct.pack(">h", 0) + (uvarint(len(entries) + 1) if flexible else struct.pack(">i", len(entries)))
    out += b"".join(struct.pack(">hhh", k, lo, hi) + tags for k, lo, hi, tags in entries)
    return out + body[r.pos:]


def rewrite_metadata(version, body, addresses):
    r = Reader(body)
    out = r.take(4) if version >= 3 else b""  # throttle_time_ms
    n = r.int32()
    out += struct.pack(">i", n)
    for _ in range(n):
        node = r.int32()
        host, port = addresses((r.string(), r.int32()))
        out += struct.pack(">i", node) + string(host) + struct.pack(">i", port)
        if version >= 1:
            out += string(r.string())  # rack
    return out + body[r.pos:]


def rewrite_find_coordinator(version, body, addresses):
    r = Reader(body)
    if version >= 1:
        r.take(4 + 2)  # throttle_time_ms, error_code
        r.string()  # error_message
    else:
        r.take(2)
    head = body[:r.pos] + r.take(4)  # node_id
    host, port = addresses((r.string(), r.int32()))
    return head + string(host) + struct.pack(">i", port) + body[r.pos:]


RESPONSE_REWRITES = {API_VERSIONS: lambda v, b, a: rewrite_api_versions(v, b),
                     METADATA: rewrite_metadata, FIND_COORDINATOR: rewrite_find_coordinator}
