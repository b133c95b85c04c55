"""The server side of SASL PLAIN (RFC 4616) and SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, 7677) for
kafka_sasl_proxy.py: an authenticator takes the client's tokens one at a time and returns the
server's answer, and the user name once the login is complete; a wrong password raises AuthFailed."""
import base64
import hashlib
import hmac
import os

SCRAM_HASHES = {"SCRAM-SHA-256": hashlib.sha256, "SCRAM-SHA-512": hashlib.sha512}
MECHANISMS = ["PLAIN"] + list(SCRAM_HASHES)
ITERATIONS = 4096  # Kafka's minimum for SCRAM credentials
INVALID = "Authentication failed: Invalid username or password"


class AuthFailed(Exception):
    pass


def scram_credentials(passwords):
    """{user: password} -> {user: {"password": ..., mechanism: (salt, stored key, server key)}}, as a
    broker stores them (it never needs the password for SCRAM; PLAIN checks it as given)."""
    out = {}
    for user, password in passwords.items():
        entry = {"password": password}
        for mechanism, h in SCRAM_HASHES.items():
            salt = os.urandom(16)
            salted = hashlib.pbkdf2_hmac(h().name, password.encode(), salt, ITERATIONS)
            client_key = hmac.digest(salted, b"Client Key", h)
            entry[mechanism] = (salt, h(client_key).digest(), hmac.digest(salted, b"Server Key", h))
        out[user] = entry
    return out


class Plain:
    mechanism = "PLAIN"

    def __init__(self, credentials):
        self.credentials = credentials

    def step(self, token):
        parts = token.split(b"\0")
        if len(parts) != 3:
            raise AuthFailed("Authentication failed: PLAIN message is not authzid NUL authcid NUL passwd")
        authzid, user, password = (p.decode("utf-8", "replace") for p in parts)
        if authzid and authzid != user:
            raise AuthFailed("Authentication failed: authorization id differs from the user name")
        known = self.credentials.get(user)
        if known is None or not hmac.compare_digest(known["password"].encode(), password.encode()):
            raise AuthFailed(INVALID)
        return b"", user


def attributes(message):
    """'a=1,b=2' -> [('a', '1'), ('b', '2')] in order (values may contain '=')."""
    out = []
    for part in message.split(","):
        if len(part) < 2 or part[1] != "=":
            raise AuthFailed("Authentication failed: malformed SCRAM message")
        out.append((part[0], part[2:]))
    return out


class Scram:
    def __init__(self, mechanism, credentials):
        self.mechanism, self.credentials = mechanism, credentials
        self.hash = SCRAM_HASHES[mechanism]
        self.state = "first"

    def step(self, token):
        message = token.decode("utf-8", "replace")
        if self.state == "first":
            return self.client_first(message), None
        if self.state == "final":
            return self.client_final(message)
        raise AuthFailed("Authentication failed: unexpected SCRAM message")

    def client_first(self, message):
        # gs2-header: no channel binding ("n") or not supported by the server ("y"); no authzid
        flag, authzid, bare = (message.split(",", 2) + ["", ""])[:3]
        if flag not in ("n", "y") or authzid:
            raise AuthFailed("Authentication failed: channel binding and authzid are not supported")
        attrs = attributes(bare)
        if len(attrs) < 2 or attrs[0][0] != "n" or attrs[1][0] != "r":
            raise AuthFailed("Authentication failed: malformed SCRAM client-first message")
        self.user = attrs[0][1].replace("=2C", ",").replace("=3D", "=")
        if self.user not in self.credentials:
            raise AuthFailed(INVALID)
        self.salt, self.stored_key, self.server_key = self.credentials[self.user][self.mechanism]
        self.gs2_header = message[:len(message) - len(bare)]
        self.nonce = attrs[1][1] + base64.b64encode(os.urandom(18)).decode()
        self.server_first = "r=%s,s=%s,i=%d" % (self.nonce, base64.b64encode(self.salt).decode(), ITERATIONS)
        self.client_first_bare = bare
        self.state = "final"
        return self.server_first.encode()

    def client_final(self, message):
        self.state = "done"
        without_proof, sep, proof = message.rpartition(",p=")
        attrs = dict(attributes(without_proof)) if sep else {}
        # RFC 5802 wants r equal to the server's nonce; librdkafka 2.0.2 puts its own nonce in
        # front once more (fixed later, librdkafka PR #4895), which Kafka 3.8.1+ accepts by
        # checking that r ends with the server's nonce.
        if not sep or not attrs.get("r", "").endswith(self.nonce):
            raise AuthFailed("Authentication failed: SCRAM nonce or proof missing or wrong")
        if base64.b64decode(attrs.get("c", "")) != self.gs2_header.encode():
            raise AuthFailed("Authentication failed: SCRAM channel binding does not match")
        auth_message = ",".join((self.client_first_bare, self.server_first, without_proof)).encode()
        client_signature = hmac.digest(self.stored_key, auth_message, self.hash)
        client_key = bytes(a ^ b for a, b in zip(base64.b64decode(proof), client_signature))
        if len(client_key) != len(client_signature) or not hmac.compare_digest(self.hash(client_key).digest(),
                                                                             self.stored_key):
            raise AuthFailed(INVALID)
        server_signature = hmac.digest(self.server_key, auth_message, self.hash)
        return b"v=" + base64.b64encode(server_signature), self.user


def make_authenticator(mechanism, credentials):
    return Plain(credentials) if mechanism == "PLAIN" else Scram(mechanism, credentials)
