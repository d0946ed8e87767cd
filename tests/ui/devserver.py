#!/usr/bin/env python3
"""Development server for Weir's web UI (issue 11), until `weir serve` embeds it.

Serves the files of ui/ at their relative paths (index.html at /) and proxies
every other path (the REST API) to a running `weir serve`:

    python3 tests/ui/devserver.py --api http://127.0.0.1:8081 [--port 8090]

With --emulate it also answers the two endpoints the UI needs and the server
does not have yet (docs/ui.md, "Server endpoints the UI needs"), as a
reference for their shape:
  GET /jobs/{id}/pipeline  -> {"jid","name","origin","pipeline"} (the text of
      pipelines this proxy saw submitted, or read from --pipelines DIR)
  GET /jobs/{id}/history[?since=MS] -> {"jid","interval-ms","window-ms","samples":[...]}
      sampled every --interval-ms (default 5000) from the REST API, 15 minutes kept.
Prints "devserver at http://127.0.0.1:PORT/" on its first line.
"""
import argparse, collections, json, mimetypes, os, re, sys, threading, time
import urllib.error, urllib.parse, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UI_DIR = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ui"))
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon", ".json": "application/json"}
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization", "proxy-authenticate", "host", "content-length"}
WINDOW_MS = 15 * 60 * 1000


class Upstream:
    def __init__(self, base, token=None):
        self.base = base.rstrip("/")
        self.token = token

    def request(self, method, path, body=None, headers=None, timeout=60):
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=dict(headers or {}))
        if self.token and "Authorization" not in req.headers:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def json(self, path):
        status, _, body = self.request("GET", path, headers={"Accept": "application/json"}, timeout=10)
        return json.loads(body) if status == 200 else None


class Emulator:
    """The two missing endpoints, kept the way docs/ui.md asks the server to."""

    def __init__(self, upstream, interval_ms, pipelines_dir):
        self.up = upstream
        self.interval_ms = interval_ms
        self.samples = {}            # jid -> deque of samples
        self.texts = {}              # job name -> (origin, yaml)
        self.lock = threading.Lock()
        if pipelines_dir:
            for fn in sorted(os.listdir(pipelines_dir)):
                if fn.endswith(".yaml") and not fn.endswith(".test.yaml"):
                    text = open(os.path.join(pipelines_dir, fn), encoding="utf-8").read()
                    m = re.search(r"^name:\s*['\"]?([A-Za-z0-9._-]+)", text, re.M)
                    if m:
                        self.texts[m.group(1)] = (os.path.join(pipelines_dir, fn), text)
        threading.Thread(target=self.sample_loop, daemon=True).start()

    def submitted(self, name, text):
        with self.lock:
            self.texts[name] = ("rest", text)

    def sample_loop(self):
        while True:
            started = time.time()
            try:
                self.sample_once()
            except Exception as e:  # the server restarting: keep going
                print(f"devserver: sampling failed: {e}", file=sys.stderr)
            time.sleep(max(0.1, self.interval_ms / 1000 - (time.time() - started)))

    def sample_once(self):
        ov = self.up.json("/jobs/overview") or {"jobs": []}
        for j in ov["jobs"]:
            jid = j["jid"]
            if j["state"] in ("FINISHED", "CANCELED", "FAILED") and jid in self.samples and self.samples[jid] and self.samples[jid][-1].get("ended"):
                continue
            d = self.up.json(f"/jobs/{jid}")
            if not d:
                continue
            lag = self.up.json(f"/jobs/{jid}/lag") or {}
            wm = self.up.json(f"/jobs/{jid}/watermarks") or {}
            now = d.get("now") or int(time.time() * 1000)
            vs = d.get("vertices") or []
            marks = [p["watermark"] for p in wm.get("partitions", []) if not p.get("idle") and p.get("watermark") is not None]
            s = {
                "t": now,
                "records-in": vs[0]["metrics"]["read-records"] if vs else 0,
                "records-out": vs[-1]["metrics"]["write-records"] if vs else 0,
                "lag-records": lag.get("total-lag-records"),
                "lag-seconds": lag.get("max-lag-seconds"),
                "watermark-lag-seconds": max(0.0, (now - min(marks)) / 1000) if marks else None,
            }
            with self.lock:
                q = self.samples.setdefault(jid, collections.deque(maxlen=WINDOW_MS // self.interval_ms + 1))
                q.append(s)
                if j["state"] in ("FINISHED", "CANCELED", "FAILED"):
                    s["ended"] = True

    def resolve(self, job):
        d = self.up.json(f"/jobs/{urllib.parse.quote(job, safe='')}")
        return (d["jid"], d["name"]) if d else (None, None)

    def history(self, job, query):
        jid, _ = self.resolve(job)
        if not jid:
            return 404, {"errors": [f"Job {job} not found"]}
        since = query.get("since", [None])[0]
        try:
            since = int(since) if since not in (None, "") else None
        except ValueError:
            return 400, {"errors": [f"since must be epoch milliseconds, not {since}"]}
        with self.lock:
            samples = [{k: v for k, v in s.items() if k != "ended"} for s in self.samples.get(jid, [])]
        if since is not None:
            samples = [s for s in samples if s["t"] > since]
        return 200, {"jid": jid, "interval-ms": self.interval_ms, "window-ms": WINDOW_MS, "samples": samples}

    def pipeline(self, job):
        jid, name = self.resolve(job)
        if not jid:
            return 404, {"errors": [f"Job {job} not found"]}
        with self.lock:
            t = self.texts.get(name)
        if not t:
            return 404, {"errors": [f"the pipeline text of {name} is not known to this dev server"]}
        return 200, {"jid": jid, "name": name, "origin": t[0], "pipeline": t[1]}


def make_handler(upstream, emulator, quiet):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            if not quiet:
                sys.stderr.write("devserver: " + fmt % args + "\n")

        def send(self, status, body, ctype, extra=None):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def static(self, path):
            rel = "index.html" if path in ("", "/") else path.lstrip("/")
            full = os.path.realpath(os.path.join(UI_DIR, rel))
            if not full.startswith(UI_DIR + os.sep) or not os.path.isfile(full):
                return False
            ext = os.path.splitext(full)[1]
            with open(full, "rb") as f:
                body = f.read()
            self.send(200, body, TYPES.get(ext) or mimetypes.guess_type(full)[0] or "application/octet-stream")
            return True

        def handle_any(self):
            u = urllib.parse.urlsplit(self.path)
            path = urllib.parse.unquote(u.path)
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else None
            if self.command in ("GET", "HEAD") and self.static(path):
                return
            if emulator and self.command == "GET":
                m = re.fullmatch(r"/jobs/([^/]+)/(history|pipeline)", u.path)
                if m:
                    job = urllib.parse.unquote(m.group(1))
                    status, ans = emulator.history(job, urllib.parse.parse_qs(u.query)) if m.group(2) == "history" else emulator.pipeline(job)
                    return self.send(status, json.dumps(ans).encode(), "application/json")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP and k.lower() != "accept-encoding"}
            status, rh, rb = upstream.request(self.command, self.path, body=body, headers=headers)
            if emulator and self.command == "POST" and u.path == "/jobs" and status == 200 and body:
                try:
                    emulator.submitted(json.loads(rb)["name"], body.decode("utf-8"))
                except Exception:
                    pass
            extra = {k: v for k, v in rh.items() if k.lower() in ("www-authenticate", "allow", "location")}
            self.send(status, rb, rh.get("Content-Type", "application/octet-stream"), extra)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--api", required=True, help="URL of a running weir serve, e.g. http://127.0.0.1:8081")
    ap.add_argument("--port", type=int, default=0, help="port to listen on (0: any free one)")
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--emulate", action="store_true", help="also answer GET /jobs/{id}/history and /jobs/{id}/pipeline")
    ap.add_argument("--interval-ms", type=int, default=5000, help="history sample interval with --emulate")
    ap.add_argument("--pipelines", help="with --emulate: the pipeline files weir serve registered")
    ap.add_argument("--token", default=os.environ.get("WEIR_REST_TOKEN"), help="token for the emulator's own reads")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    up = Upstream(a.api, a.token)
    em = Emulator(up, a.interval_ms, a.pipelines) if a.emulate else None
    srv = ThreadingHTTPServer((a.address, a.port), make_handler(up, em, a.quiet))
    srv.daemon_threads = True
    print(f"devserver at http://{a.address}:{srv.server_address[1]}/ (ui {UI_DIR}, api {a.api}{', emulating history and pipeline' if em else ''})", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
