#!/usr/bin/env python3
"""What serving costs (issue 10, "Speed"), release build, one machine, one run.

  overhead  the windowed Kafka benchmark (pipelines/bench-windows.yaml) under
            `weir run` and under `weir serve` with /metrics scraped every
            second and /jobs/{id} polled every 100 ms, alternating, each on a
            fresh consumer group over the same events; events per CPU-second
            of each (process CPU from start to the end of its input + 1.5 s
            idle, startup included for both), and the ratio of the medians.
            The client's own load (this script polling, on the same two
            cores) runs in both cases: during `weir run` it polls an idle
            `weir serve` that is not measured.
  latency   20 running jobs under one `weir serve`: p50/p99 of GET
            /jobs/overview and GET /metrics over keep-alive requests on loopback.
  footprint an idle `weir serve` with one job: RSS, and start-up to ready
            (process start to /readyz 200; the embedded broker's ~3 s group
            join is reported apart: start to the REST API listening, and to
            the jobs topic read).

usage: bench-serve.py overhead|latency|footprint [--events N] [--rounds R]
The broker is a `weir broker` of the same build (embedded: loopback sockets).
"""
import argparse, http.client, json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEIR = os.environ.get("WEIR", os.path.join(ROOT, ".build/release/weir"))
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK   # utime, stime


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Broker:
    def __init__(self, work, topics):
        args = [WEIR, "broker"] + sum((["--topic", t] for t in topics), [])
        self.out = open(os.path.join(work, "broker.out"), "w+")
        self.proc = subprocess.Popen(args, stdout=self.out, stderr=subprocess.DEVNULL, cwd=work)
        for _ in range(200):
            self.out.seek(0)
            lines = self.out.read().split()
            if lines:
                self.bs = lines[0]
                return
            time.sleep(0.05)
        raise SystemExit("weir broker did not start")

    def close(self):
        self.proc.terminate()
        self.proc.wait()


class Serve:
    """A `weir serve` of its own service group: its own jobs topic (`weir-jobs-NAME`,
    which the broker must have), so no instance resumes another's jobs."""
    def __init__(self, work, bs, name, pipelines=None, extra_env=None):
        os.makedirs(os.path.join(work, "empty"), exist_ok=True)
        env = dict(os.environ, WEIR_KAFKA_BOOTSTRAP_SERVERS=bs, WEIR_INSTANCE_ID=name, WEIR_JOBS_TOPIC=f"weir-jobs-{name}",
                   WEIR_SAVEPOINTS_DIR=os.path.join(work, "savepoints"), **(extra_env or {}))
        self.out = open(os.path.join(work, f"{name}.out"), "w+")
        self.started = time.monotonic()
        self.proc = subprocess.Popen([WEIR, "serve", "--pipelines", pipelines or os.path.join(work, "empty"), "--port", "0",
                                      "--log-level", "warning"], stdout=self.out, stderr=subprocess.STDOUT, cwd=work, env=env)
        while True:
            self.out.seek(0)
            m = re.search(r"REST API at http://([0-9.]+):([0-9]+)", self.out.read())
            if m:
                self.listening = time.monotonic() - self.started
                self.host, self.port = m.group(1), int(m.group(2))
                break
            if self.proc.poll() is not None or time.monotonic() - self.started > 30:
                raise SystemExit("weir serve did not start: " + open(self.out.name).read()[-2000:])
            time.sleep(0.005)

    def conn(self):
        return http.client.HTTPConnection(self.host, self.port, timeout=10)

    def get(self, path, conn=None):
        c = conn or self.conn()
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
        return r.status, body

    def post(self, path, body, ctype="application/yaml"):
        c = self.conn()
        c.request("POST", path, body=body, headers={"Content-Type": ctype})
        r = c.getresponse()
        return r.status, json.loads(r.read() or b"null")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def pipeline_text(name):
    text = open(os.path.join(ROOT, "pipelines/bench-windows.yaml")).read()
    return re.sub(r"^name: .*$", f"name: {name}", text, flags=re.M)


def overhead(args):
    work = tempfile.mkdtemp(prefix="weir-bench-serve-")
    n, p = args.events, args.partitions
    names = [f"bw-{kind}-{i}" for i in range(args.rounds) for kind in ("run", "serve")]
    broker = Broker(work, [f"bench-in:{p}", f"bench-out:{p}", f"bench-windows-state:{p}"] + [f"{x}-state:{p}" for x in names]
                    + [f"weir-jobs-{x}{d}:1" for x in names for d in ("", "-decoy")])
    try:
        fill = subprocess.run([WEIR, "bench", os.path.join(ROOT, "pipelines/bench-windows.yaml"), "--bootstrap", broker.bs,
                               "--events", str(n)], capture_output=True, text=True, cwd=ROOT)
        if fill.returncode != 0:
            raise SystemExit("filling failed: " + fill.stdout + fill.stderr)
        print(f"filled {n} events into bench-in ({p} partitions); warm-up run: " +
              " ".join(l for l in fill.stdout.splitlines() if "events/s" in l or "EPS" in l or "msgs/s" in l)[:200])
        results = {"run": [], "serve": []}
        for name in names:
            kind = name.split("-")[1]
            path = os.path.join(work, name + ".yaml")
            open(path, "w").write(pipeline_text(name))
            if kind == "run":
                # The same client load on the machine as in the serve case (two cores are shared):
                # an idle serve, not measured, scraped and polled at the same rates.
                decoy = None if args.quiet else Serve(work, broker.bs, name + "-decoy")
                stop_load = threading.Event()
                load = [] if decoy is None else [
                    threading.Thread(target=lambda: [decoy.get("/metrics", c) for c in [decoy.conn()] for _ in iter(lambda: stop_load.wait(1.0), True)]),
                    threading.Thread(target=lambda: [json.loads(decoy.get("/jobs/overview", c)[1]) for c in [decoy.conn()] for _ in iter(lambda: stop_load.wait(0.1), True)]),
                    threading.Thread(target=lambda: [json.loads(decoy.get("/jobs/overview", c)[1]) for c in [decoy.conn()] for _ in iter(lambda: stop_load.wait(0.1), True)]),
                ]
                for t in load: t.start()
                t0 = time.monotonic()
                before = os.times()
                proc = subprocess.run([WEIR, "run", path, "--drain-idle-ms", "1500", "--log-level", "info"],
                                      env=dict(os.environ, WEIR_KAFKA_BOOTSTRAP_SERVERS=broker.bs, WEIR_INSTANCE_ID=name),
                                      capture_output=True, text=True, cwd=work)
                after = os.times()
                if proc.returncode != 0:
                    raise SystemExit(f"weir run failed: {proc.stdout[-1000:]} {proc.stderr[-2000:]}")
                cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
                stop_load.set()
                for t in load: t.join()
                if decoy: decoy.stop()
                m = re.search(r"processed=(\d+)", proc.stdout + proc.stderr)
                processed = int(m.group(1)) if m else n
                wall = time.monotonic() - t0
            else:
                serve = Serve(work, broker.bs, name)
                t0 = time.monotonic()
                status, answer = serve.post("/jobs", pipeline_text(name).encode())
                if status != 200:
                    raise SystemExit(f"submit failed: {status} {answer}")
                jid = answer["jobid"]
                done = threading.Event()
                polls = {"metrics": 0, "job": 0}
                # --decoy-serve (a control): the same client load, sent to an idle serve instead.
                target = Serve(work, broker.bs, name + "-decoy") if args.decoy_serve else serve
                path = "/jobs/overview" if args.decoy_serve else f"/jobs/{jid}"
                def scrape():
                    c = target.conn()
                    while not done.wait(1.0):
                        target.get("/metrics", c); polls["metrics"] += 1
                def poll_job():
                    c = target.conn()
                    while not done.wait(0.1):
                        json.loads(target.get(path, c)[1]); polls["job"] += 1
                threads = [threading.Thread(target=scrape), threading.Thread(target=poll_job)] if not args.quiet else []
                for t in threads: t.start()
                processed = 0
                c = serve.conn()
                while processed < n and time.monotonic() - t0 < 600:
                    time.sleep(1.0 if args.quiet or args.decoy_serve else 0.1)
                    _, body = serve.get(f"/jobs/{jid}", c)
                    processed = json.loads(body)["vertices"][0]["metrics"]["read-records"]
                time.sleep(1.5)   # the same idle tail as weir run's --drain-idle-ms
                cpu = cpu_seconds(serve.proc.pid)
                wall = time.monotonic() - t0
                done.set()
                for t in threads: t.join()
                serve.stop()
                if target is not serve: target.stop()
                print(f"  ({polls['metrics']} scrapes of /metrics, {polls['job']} polls of /jobs/{{id}})")
            eps = processed / cpu if cpu > 0 else 0
            results[kind].append(eps)
            print(f"{name}: {processed} events, {cpu:.2f} CPU-s, {wall:.2f} s wall -> {eps:,.0f} events per CPU-second")
        run, serve = statistics.median(results["run"]), statistics.median(results["serve"])
        print(f"median events per CPU-second: weir run {run:,.0f}, weir serve {serve:,.0f}; serve/run = {serve / run:.3f}")
    finally:
        broker.close()
        shutil.rmtree(work, ignore_errors=True)


def latency(args):
    work = tempfile.mkdtemp(prefix="weir-bench-latency-")
    jobs = args.jobs
    names = [f"lat-{i}" for i in range(jobs)]
    broker = Broker(work, ["bench-in:4", "bench-out:4", "weir-jobs-latency:1"] + [f"{x}-state:4" for x in names])
    try:
        subprocess.run([WEIR, "bench", os.path.join(ROOT, "pipelines/bench-windows.yaml"), "--bootstrap", broker.bs, "--events", "20000"],
                       capture_output=True, cwd=ROOT, check=True)
        serve = Serve(work, broker.bs, "latency")
        for name in names:
            status, answer = serve.post("/jobs", pipeline_text(name).encode())
            assert status == 200, answer
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            _, body = serve.get("/jobs/overview")
            running = [j for j in json.loads(body)["jobs"] if j["state"] == "RUNNING"]
            if len(running) == jobs:
                break
            time.sleep(0.5)
        print(f"{len(running)} jobs RUNNING under one weir serve (each parallelism 1, 20,000 events each)")
        time.sleep(5)
        for path in ["/jobs/overview", "/metrics"]:
            c = serve.conn()
            samples = []
            for _ in range(args.requests):
                t = time.perf_counter()
                status, body = serve.get(path, c)
                samples.append((time.perf_counter() - t) * 1000)
                assert status == 200
            samples.sort()
            p = lambda q: samples[min(len(samples) - 1, int(len(samples) * q))]
            print(f"GET {path}: {args.requests} requests, p50 {p(0.5):.2f} ms, p99 {p(0.99):.2f} ms, max {samples[-1]:.2f} ms ({len(body)} bytes)")
        serve.stop()
    finally:
        broker.close()
        shutil.rmtree(work, ignore_errors=True)


def footprint(args):
    work = tempfile.mkdtemp(prefix="weir-bench-footprint-")
    broker = Broker(work, ["bench-in:4", "bench-out:4", "bench-windows-state:4"] + [f"weir-jobs-fp{i}:1" for i in range(args.rounds)])
    try:
        subprocess.run([WEIR, "bench", os.path.join(ROOT, "pipelines/bench-windows.yaml"), "--bootstrap", broker.bs, "--events", "10000"],
                       capture_output=True, cwd=ROOT, check=True)
        d = os.path.join(work, "pipelines"); os.makedirs(d)
        open(os.path.join(d, "bench-windows.yaml"), "w").write(pipeline_text("footprint"))
        readies, listens, topics = [], [], []
        for i in range(args.rounds):
            serve = Serve(work, broker.bs, f"fp{i}", pipelines=d)
            c = serve.conn()
            topic_read = None
            while True:
                status, body = serve.get("/jobs", c)
                if topic_read is None and json.loads(body)["jobs"]:
                    topic_read = time.monotonic() - serve.started
                status, _ = serve.get("/readyz", c)
                if status == 200:
                    ready = time.monotonic() - serve.started
                    break
                time.sleep(0.005)
            listens.append(serve.listening); topics.append(topic_read); readies.append(ready)
            time.sleep(10)
            rss = rss_mib(serve.proc.pid)
            print(f"round {i}: REST API listening after {serve.listening * 1000:.0f} ms, job known after {topic_read * 1000:.0f} ms, "
                  f"ready after {ready * 1000:.0f} ms; idle RSS after 10 s: {rss:.1f} MiB")
            serve.stop()
        print(f"median: listening {statistics.median(listens) * 1000:.0f} ms, job running {statistics.median(topics) * 1000:.0f} ms, "
              f"ready {statistics.median(readies) * 1000:.0f} ms (of which the embedded broker's group join)")
    finally:
        broker.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    a = argparse.ArgumentParser()
    a.add_argument("what", choices=["overhead", "latency", "footprint"])
    a.add_argument("--events", type=int, default=300_000)
    a.add_argument("--partitions", type=int, default=16)
    a.add_argument("--rounds", type=int, default=3)
    a.add_argument("--jobs", type=int, default=20)
    a.add_argument("--requests", type=int, default=2000)
    a.add_argument("--decoy-serve", action="store_true", help="overhead, a control: the serve case's client load goes to an idle serve, not the measured one")
    a.add_argument("--quiet", action="store_true", help="overhead: no scrapes or polls under serve (only a completion check once a second)")
    args = a.parse_args()
    {"overhead": overhead, "latency": latency, "footprint": footprint}[args.what](args)
