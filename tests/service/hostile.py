#!/usr/bin/env python3
"""1,000 concurrent hostile or plentiful requests against a running `weir
serve` (issue 10): malformed and huge bodies, unknown ids, path traversal in
savepoint directories, pipelines that fail validation, wrong methods, good
reads. Passes when every answer is 2xx or 4xx (never 5xx, never a dropped
connection). The caller then checks the job kept running and lost nothing.

usage: hostile.py BASE_URL JOB
"""
import concurrent.futures, http.client, json, sys, urllib.parse

base, job = sys.argv[1], sys.argv[2]
u = urllib.parse.urlparse(base)
bad_pipeline = b"name: x\nsource: {kafka: {topic: t}}\nsteps:\n  - filter: \"amount >\"\nsink: {kafka: {topic: o}}\n"
requests = [
    ("GET", f"/jobs/{job}", None, None),
    ("GET", "/jobs/00000000000000000000000000000000", None, None),
    ("GET", "/jobs/..%2F..%2Fetc%2Fpasswd", None, None),
    ("POST", "/jobs", bad_pipeline, "application/yaml"),
    ("POST", "/jobs", b"\xff\xfe\x00garbage", "application/yaml"),
    ("POST", "/jobs", b"a" * ((1 << 20) + 10), "application/yaml"),
    ("POST", "/jobs?savepointPath=../../etc", bad_pipeline, "application/yaml"),
    ("POST", f"/jobs/{job}/savepoints", json.dumps({"target-directory": "../../../tmp/x"}).encode(), "application/json"),
    ("POST", f"/jobs/{job}/savepoints", json.dumps({"target-directory": "/etc"}).encode(), "application/json"),
    ("POST", f"/jobs/{job}/stop", b"{not json", "application/json"),
    ("POST", f"/jobs/{job}/stop", json.dumps({"drain": "yes"}).encode(), "application/json"),
    ("PATCH", f"/jobs/{job}?mode=explode", None, None),
    ("DELETE", f"/jobs/{job}", None, None),
    ("GET", f"/jobs/{job}/state?key=a&key=b", None, None),
    ("GET", f"/jobs/{job}/dead-letters?limit=-1", None, None),
    ("GET", f"/jobs/{job}/metrics?get=" + "x," * 500, None, None),
    ("GET", "/metrics", None, None),
    ("GET", "/jobs/" + "a" * 4000, None, None),
    ("POST", "/jobs/validate", bad_pipeline, "application/yaml"),
    ("GET", f"/jobs/{job}/lag", None, None),
]

def one(i):
    method, path, body, ctype = requests[i % len(requests)]
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    headers = {"Content-Type": ctype} if ctype else {}
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    r.read()
    c.close()
    return method, path[:60], r.status

with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
    answers = list(pool.map(one, range(1000)))
bad = [a for a in answers if a[2] >= 500 or a[2] < 200]
codes = {}
for _, _, s in answers:
    codes[s] = codes.get(s, 0) + 1
print(f"hostile: {len(answers)} requests answered, by status {dict(sorted(codes.items()))}")
for a in bad[:10]:
    print("  BAD", a)
sys.exit(1 if bad or len(answers) != 1000 else 0)
