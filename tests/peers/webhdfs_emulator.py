#!/usr/bin/python3
"""A WebHDFS REST emulator for tests, following the Hadoop WebHDFS REST API: one process plays the
namenode and the datanode. CREATE, APPEND and OPEN answer 307 Temporary Redirect with a datanode
Location (the client must follow it and send the data there); MKDIRS, RENAME, DELETE, GETFILESTATUS
and LISTSTATUS answer JSON; errors are RemoteException JSON with 403 / 404 / 500 / 503.

  webhdfs_emulator.py PORT ROOTDIR     (prints "listening" when ready)
Failure injection for tests: GET /__fail?count=N&code=503 makes the next N requests fail with code;
paths under /forbidden answer 403 AccessControlException."""
import json
import os
import shutil
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = None
FAIL = {"count": 0, "code": 503}
LOCK = threading.Lock()


def remote_exception(handler, code, exc, msg):
    body = json.dumps({"RemoteException": {"exception": exc, "javaClassName": "org.apache.hadoop." + exc,
                                           "message": msg}}).encode()
    handler.send_response(code)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def reply_json(handler, code, obj):
    body = json.dumps(obj).encode()
    handler.send_response(code)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def status(path):
    st = os.stat(path)
    return {"pathSuffix": "", "type": "DIRECTORY" if os.path.isdir(path) else "FILE", "length": st.st_size,
            "modificationTime": int(st.st_mtime * 1000), "permission": "644", "owner": "sluice", "group": "supergroup",
            "replication": 1, "blockSize": 134217728, "accessTime": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def handle_any(self, method):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        if url.path == "/__fail":
            with LOCK:
                FAIL["count"], FAIL["code"] = int(q.get("count", 1)), int(q.get("code", 503))
            return reply_json(self, 200, {"ok": True})
        data = self.body()
        with LOCK:
            if FAIL["count"] > 0:
                FAIL["count"] -= 1
                return remote_exception(self, FAIL["code"], "ipc.StandbyException" if FAIL["code"] == 503 else "IOException",
                                        "injected failure")
        if not url.path.startswith("/webhdfs/v1"):
            return remote_exception(self, 404, "FileNotFoundException", "not a WebHDFS path")
        hpath = urllib.parse.unquote(url.path[len("/webhdfs/v1"):]) or "/"
        if "user.name" not in q:
            return remote_exception(self, 401, "security.AccessControlException", "user.name is required")
        if hpath.startswith("/forbidden"):
            return remote_exception(self, 403, "security.AccessControlException",
                                    "Permission denied: user=%s, access=WRITE, inode=\"%s\"" % (q["user.name"], hpath))
        local = os.path.join(ROOT, hpath.lstrip("/"))
        op = q.get("op", "").upper()
        datanode = q.get("datanode") == "true"
        if op in ("CREATE", "APPEND", "OPEN") and not datanode:
            # Namenode step: redirect to the "datanode" (this server) without reading data.
            if op == "APPEND" and not os.path.isfile(local):
                return remote_exception(self, 404, "FileNotFoundException", "File does not exist: " + hpath)
            if op == "OPEN" and not os.path.isfile(local):
                return remote_exception(self, 404, "FileNotFoundException", "File does not exist: " + hpath)
            if op == "CREATE" and os.path.exists(local) and q.get("overwrite", "false") != "true":
                return remote_exception(self, 403, "FileAlreadyExistsException", hpath + " already exists")
            loc = "%s://127.0.0.1:%d%s?%s&datanode=true" % (SCHEME, self.server.server_port, url.path, url.query)
            self.send_response(307)
            self.send_header("Location", loc)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if op == "CREATE":
            os.makedirs(os.path.dirname(local), exist_ok=True)
            with open(local, "wb") as f:
                f.write(data)
            self.send_response(201)
            self.send_header("Location", "hdfs://emulator" + hpath)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if op == "APPEND":
            with open(local, "ab") as f:
                f.write(data)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if op == "OPEN":
            content = open(local, "rb").read()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
            return
        if op == "MKDIRS":
            os.makedirs(local, exist_ok=True)
            return reply_json(self, 200, {"boolean": True})
        if op == "RENAME":
            dest = os.path.join(ROOT, urllib.parse.unquote(q.get("destination", "")).lstrip("/"))
            if not os.path.exists(local) or not q.get("destination"):
                return reply_json(self, 200, {"boolean": False})
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            os.rename(local, dest)
            return reply_json(self, 200, {"boolean": True})
        if op == "DELETE":
            if not os.path.exists(local):
                return reply_json(self, 200, {"boolean": False})
            shutil.rmtree(local) if os.path.isdir(local) else os.remove(local)
            return reply_json(self, 200, {"boolean": True})
        if op == "GETFILESTATUS":
            if not os.path.exists(local):
                return remote_exception(self, 404, "FileNotFoundException", "File does not exist: " + hpath)
            return reply_json(self, 200, {"FileStatus": status(local)})
        if op == "LISTSTATUS":
            if not os.path.isdir(local):
                return remote_exception(self, 404, "FileNotFoundException", "File " + hpath + " does not exist.")
            items = []
            for name in sorted(os.listdir(local)):
                st = status(os.path.join(local, name))
                st["pathSuffix"] = name
                items.append(st)
            return reply_json(self, 200, {"FileStatuses": {"FileStatus": items}})
        return remote_exception(self, 400, "IllegalArgumentException", "Invalid value for webhdfs parameter \"op\": " + op)

    def do_GET(self):
        self.handle_any("GET")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")


SCHEME = "http"


def main():
    """webhdfs_emulator.py PORT ROOT [--tls CERT KEY]: with --tls it is swebhdfs (HTTPS, https:// redirects)."""
    global ROOT, SCHEME
    port, ROOT = int(sys.argv[1]), sys.argv[2]
    os.makedirs(ROOT, exist_ok=True)
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    if "--tls" in sys.argv:
        import ssl
        i = sys.argv.index("--tls")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[i + 1], sys.argv[i + 2])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        SCHEME = "https"
    print("listening", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
