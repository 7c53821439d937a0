#!/usr/bin/env python3
"""A local stand-in for the news APIs finewsd polls, for the integration tests.

Usage: mock_source.py --root DIR --port-file FILE [--log FILE]
                      [--headers-log FILE]

Binds 127.0.0.1 on an ephemeral port, writes the port to FILE (atomically)
once listening, and serves until SIGTERM or SIGINT, then exits 0.

Routing, decided afresh on every request so that a test can change the
scenario between two runs of the daemon by rewriting files under DIR:

  DIR/routes.json   {"<path?query>": {entry}, ...}, looked up by the
                    request's path and query exactly as sent (or, failing
                    that, with both sides percent-decoded).  An entry may hold
                      "file":    body from DIR/<file>
                      "body":    body given inline (a string)
                      "status":  HTTP status (default 200)
                      "delay":   seconds (float) to wait before answering
                      "headers": {"Name": "value"} added to the response
                      "bytes":   serve a body of exactly N bytes; it is valid
                                 JSON (list keys empty, then padding) unless
                                 "fill" is "random", so that only a size
                                 limit can make the daemon reject it
                      "gzip":    true/false: force or forbid compression
                                 (default: compress when asked, except for
                                 "bytes" bodies, which go out as they are)
                      "close":   true: read the request, drop the connection
                      "content_type": override the Content-Type
  POST PATH                       a WebSub hub, say: PATH must have a route,
                                  whose "status" (default 202), "delay" and
                                  "close" apply; the form body is logged
  /NewsData/GetNewsText.do?id=X   DIR/text/X.json (X percent-decoded)
  /article/X.html                 DIR/article/X.html
  anything else                   404

A 200 response carries an ETag (quoted SHA-1 of the body) and, for files, a
Last-Modified, and a matching If-None-Match or If-Modified-Since gets a 304.
Bodies are gzipped when the request's Accept-Encoding allows gzip.  Each
request appends "METHOD PATH?QUERY STATUS" to the log file (STATUS is
"closed" for a dropped connection), and a POST its body after one more
blank: "POST /hub 202 hub.mode=publish&hub.url=...".  With --headers-log, a
JSON line {"path": PATH?QUERY, "headers": {NAME: VALUE, ...}} with the
request's headers goes to that file.  A request in absolute form, as a
client sends it to an HTTP proxy ("GET http://host/path"), is routed by its
whole URL, so a route keyed by "http://news.invalid/list" answers for a
proxied host.  Python 3 standard library only.
"""

import argparse
import email.utils
import gzip
import hashlib
import http.server
import json
import os
import random
import signal
import sys
import tempfile
import threading
import time
import urllib.parse

TEXT_PATH = "/NewsData/GetNewsText.do"
ARTICLE_PREFIX = "/article/"

CONTENT_TYPES = {
    ".json": "application/json; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/atom+xml; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
DEFAULT_TYPE = "application/json; charset=utf-8"


class Reply:
    """What to send for one request, before conditional and encoding rules."""

    def __init__(self, status=200, body=b"", ctype=DEFAULT_TYPE):
        self.status = status
        self.body = body
        self.ctype = ctype
        self.mtime = None       # whole seconds, or None: no Last-Modified
        self.headers = {}
        self.delay = 0.0
        self.gzip = None        # None: as the client asks
        self.close = False


def safe_join(root, rel):
    """ROOT/REL, or None if REL would leave ROOT."""
    if not rel or "\0" in rel:
        return None
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return None
    return os.path.join(root, *parts)


def type_for(path):
    return CONTENT_TYPES.get(os.path.splitext(path)[1].lower(), DEFAULT_TYPE)


def read_file(path, not_before):
    """The file's bytes and a Last-Modified time that is safe to promise.

    HTTP dates have whole seconds.  A file read in the same second it was
    last written may be written again within that second, and a client
    revalidating with If-Modified-Since would then wrongly get a 304; so such
    a file gets no Last-Modified (only its ETag).  NOT_BEFORE is the time the
    request began: fstat after the read sees any write that raced it.
    """
    with open(path, "rb") as f:
        body = f.read()
        mtime = os.fstat(f.fileno()).st_mtime
    if int(mtime) >= int(not_before):
        return body, None
    return body, int(mtime)


def padded_json(n):
    """Valid JSON of exactly N bytes (at least the skeleton's length)."""
    head = b'{"record":[],"nodeList":[],"records":[],"pad":"'
    tail = b'"}'
    fill = max(0, n - len(head) - len(tail))
    return head + b"a" * fill + tail


def random_bytes(n):
    rnd = random.Random(n)
    return bytes(rnd.getrandbits(8) for _ in range(min(n, 1 << 16))) * \
        (n // (1 << 16) + 1)


class MockServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, root, log_path, headers_log_path=None):
        super().__init__(("127.0.0.1", 0), Handler)
        self.root = os.path.abspath(root)
        self.log_lock = threading.Lock()
        self.log_file = open(log_path, "a", encoding="utf-8") \
            if log_path else None
        self.headers_log = open(headers_log_path, "a", encoding="utf-8") \
            if headers_log_path else None

    def handle_error(self, request, client_address):
        # A client that hangs up (the daemon killed by a test, say) is normal.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def log_request_line(self, line):
        if self.log_file is None:
            return
        with self.log_lock:
            self.log_file.write(line + "\n")
            self.log_file.flush()

    def log_request_headers(self, path, headers):
        if self.headers_log is None:
            return
        line = json.dumps({"path": path, "headers": dict(headers.items())},
                          ensure_ascii=False)
        with self.log_lock:
            self.headers_log.write(line + "\n")
            self.headers_log.flush()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY the second
    # waits for the client's delayed ACK, some 40 ms a request.
    disable_nagle_algorithm = True
    # An idle keep-alive connection must not hold a thread forever.
    timeout = 60

    def log_message(self, format, *args):
        pass

    def version_string(self):
        return "finewsd-mock/1"

    def do_GET(self):
        self.respond(head=False)

    def do_HEAD(self):
        self.respond(head=True)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(n).decode("utf-8", "replace") if n > 0 else ""
        routes, _ = self.load_routes()
        entry = self.find_route(routes)
        status = 404 if entry is None else int(entry.get("status", 202))
        if entry is not None and float(entry.get("delay", 0)) > 0:
            time.sleep(float(entry["delay"]))
        if entry is not None and entry.get("close"):
            self.server.log_request_line(f"POST {self.path} closed {form}")
            self.close_connection = True
            return
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.server.log_request_line(f"POST {self.path} {status} {form}")

    # Routing.

    def load_routes(self):
        path = os.path.join(self.server.root, "routes.json")
        try:
            with open(path, "rb") as f:
                routes = json.loads(f.read().decode("utf-8"))
            return routes, os.stat(path).st_mtime
        except FileNotFoundError:
            return {}, None

    def find_route(self, routes):
        if self.path in routes:
            return routes[self.path]
        want = urllib.parse.unquote(self.path)
        for key, entry in routes.items():
            if urllib.parse.unquote(key) == want:
                return entry
        return None

    def route_reply(self, entry, routes_mtime, started):
        r = Reply(status=int(entry.get("status", 200)))
        r.delay = float(entry.get("delay", 0))
        r.headers = dict(entry.get("headers", {}))
        r.gzip = entry.get("gzip")
        r.close = bool(entry.get("close", False))
        if "bytes" in entry:
            n = int(entry["bytes"])
            r.body = random_bytes(n)[:n] if entry.get("fill") == "random" \
                else padded_json(n)
            if r.gzip is None:
                r.gzip = False
        elif "file" in entry:
            path = safe_join(self.server.root, entry["file"])
            try:
                r.body, r.mtime = read_file(path, started)
                r.ctype = type_for(path)
            except (OSError, TypeError):
                return Reply(404, b'{"error": "route file missing"}')
            # A route switched to an older file must still look modified.
            if r.mtime is not None and routes_mtime is not None:
                if int(routes_mtime) >= int(started):
                    r.mtime = None
                else:
                    r.mtime = max(r.mtime, int(routes_mtime))
        elif "body" in entry:
            r.body = str(entry["body"]).encode("utf-8")
        elif r.status != 200:
            r.body = json.dumps({"error": r.status}).encode("ascii")
        if "content_type" in entry:
            r.ctype = entry["content_type"]
        return r

    def file_reply(self, rel, started):
        path = safe_join(self.server.root, rel)
        if path is None:
            return Reply(404, b'{"error": "bad name"}')
        try:
            body, mtime = read_file(path, started)
        except OSError:
            return Reply(404, b'{"error": "not found"}')
        r = Reply(200, body, type_for(path))
        r.mtime = mtime
        return r

    def build_reply(self, started):
        routes, routes_mtime = self.load_routes()
        entry = self.find_route(routes)
        if entry is not None:
            return self.route_reply(entry, routes_mtime, started)
        url = urllib.parse.urlsplit(self.path)
        if url.path == TEXT_PATH:
            ids = urllib.parse.parse_qs(url.query).get("id")
            if not ids:
                return Reply(404, b'{"error": "no id"}')
            return self.file_reply("text/" + ids[0] + ".json", started)
        if url.path.startswith(ARTICLE_PREFIX) and url.path.endswith(".html"):
            name = urllib.parse.unquote(url.path[len(ARTICLE_PREFIX):])
            return self.file_reply("article/" + name, started)
        return Reply(404, b'{"error": "no route"}')

    # Conditional requests and content coding.

    def not_modified(self, etag, mtime):
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            weak = [t[2:] if t.startswith("W/") else t for t in tags]
            return "*" in tags or etag in weak
        ims = self.headers.get("If-Modified-Since")
        if ims is None or mtime is None:
            return False
        try:
            since = email.utils.parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return mtime <= since

    def wants_gzip(self):
        for item in self.headers.get("Accept-Encoding", "").split(","):
            name, _, params = item.strip().partition(";")
            if name.strip().lower() not in ("gzip", "x-gzip"):
                continue
            q = params.strip().replace(" ", "")
            return q not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
        return False

    def respond(self, head):
        started = time.time()
        self.server.log_request_headers(self.path, self.headers)
        try:
            r = self.build_reply(started)
        except Exception as e:  # a broken routes.json, say: tell the test
            r = Reply(500, json.dumps({"mock_error": str(e)}).encode())
        if r.delay > 0:
            time.sleep(r.delay)
        if r.close:
            self.server.log_request_line(f"{self.command} {self.path} closed")
            self.close_connection = True
            return
        headers = {"Content-Type": r.ctype}
        status, body = r.status, r.body
        if status == 200:
            etag = '"%s"' % hashlib.sha1(body).hexdigest()
            headers["ETag"] = etag
            if r.mtime is not None:
                headers["Last-Modified"] = email.utils.formatdate(
                    r.mtime, usegmt=True)
            if self.not_modified(etag, r.mtime):
                status, body = 304, b""
                del headers["Content-Type"]
        if body and (r.gzip or (r.gzip is None and self.wants_gzip())):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        headers["Vary"] = "Accept-Encoding"
        headers.update(r.headers)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, str(value))
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and status != 304:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
        self.server.log_request_line(f"{self.command} {self.path} {status}")


def write_port_file(path, port):
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".port.", dir=folder)
    with os.fdopen(fd, "w") as f:
        f.write("%d\n" % port)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--headers-log")
    args = ap.parse_args()
    if not os.path.isdir(args.root):
        ap.error("--root %s: not a folder" % args.root)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    server = MockServer(args.root, args.log, args.headers_log)
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    write_port_file(args.port_file, server.server_address[1])
    while not stop.wait(1.0):
        pass
    server.shutdown()
    server.server_close()
    if server.log_file is not None:
        server.log_file.close()
    if server.headers_log is not None:
        server.headers_log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
