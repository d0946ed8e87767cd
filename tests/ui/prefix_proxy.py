#!/usr/bin/env python3
"""A tiny reverse proxy that puts a Weir UI and API under a path prefix, the
way an ingress does (Traefik's StripPrefix at /flink): /flink/x -> TARGET/x,
/flink -> TARGET/, anything else 404. Passes X-Forwarded-Prefix.

    python3 tests/ui/prefix_proxy.py --target http://127.0.0.1:8090 [--prefix /flink] [--port 0] [--token T]

With --token, requests to the API (any path but the UI's files: "/" and
names with an extension) need "Authorization: Bearer T" and get 401 with
WWW-Authenticate otherwise, as `weir serve` does with rest.protectReads; so
a test can exercise the UI's token prompt against a server that has no token.
Prints "prefix proxy at http://127.0.0.1:PORT/flink/" on its first line.
"""
import argparse, re, sys, urllib.error, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length", "accept-encoding"}


def make_handler(target, prefix, token):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def send(self, status, body, headers):
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else None
            path, _, query = self.path.partition("?")
            if path != prefix and not path.startswith(prefix + "/"):
                return self.send(404, b'{"errors":["not under the prefix"]}', {"Content-Type": "application/json"})
            rest = path[len(prefix):] or "/"
            is_asset = rest == "/" or re.search(r"\.[A-Za-z0-9]+$", rest.rsplit("/", 1)[-1]) is not None
            if token and not is_asset and self.headers.get("Authorization") != f"Bearer {token}":
                return self.send(401, b'{"errors":["Missing or invalid bearer token"]}',
                                 {"Content-Type": "application/json", "WWW-Authenticate": "Bearer"})
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            headers["X-Forwarded-Prefix"] = prefix
            if token:
                headers.pop("Authorization", None)  # the server behind has no token
            req = urllib.request.Request(target + rest + (("?" + query) if query else ""), data=body, method=self.command, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=120) as r:
                    status, rh, rb = r.status, r.headers, r.read()
            except urllib.error.HTTPError as e:
                status, rh, rb = e.code, e.headers, e.read()
            except OSError as e:
                return self.send(502, f'{{"errors":["proxy: {e}"]}}'.encode(), {"Content-Type": "application/json"})
            out = {k: v for k, v in rh.items() if k.lower() not in HOP}
            self.send(status, rb, out)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    return Handler


def serve(target, prefix="/flink", port=0, token=None, address="127.0.0.1"):
    """Starts the proxy; returns the server (serve_forever it in a thread)."""
    prefix = "/" + prefix.strip("/")
    srv = ThreadingHTTPServer((address, port), make_handler(target.rstrip("/"), prefix, token))
    srv.daemon_threads = True
    return srv


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", required=True)
    ap.add_argument("--prefix", default="/flink")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token")
    a = ap.parse_args()
    srv = serve(a.target, a.prefix, a.port, a.token)
    print(f"prefix proxy at http://127.0.0.1:{srv.server_address[1]}/{a.prefix.strip('/')}/ -> {a.target}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
