#!/usr/bin/env python3
"""How long a dead instance's partitions stand still (issue 12, "Speed").

Two `weir serve` instances of one service group (parallelism 2 each: the
Kubernetes default of 2 replicas x 2 tasks) run pipelines/clicks-per-user.yaml
on a `weir broker` (16 partitions) while `weir generate` writes RATE events/s.
Each repetition kills one instance with SIGKILL (a and b in turn) and measures,
for every partition it held, the time from the kill to

  assigned  the survivor holds the partition (its "assigned" log line, time-
            stamped as it arrives: the rebalance is complete and the state is
            restored), and
  resumed   the survivor has processed a record of it (GET /jobs/{job}/lag,
            polled every 50 ms, shows the partition's position past the
            checkpoint it was restored at; tasks publish positions every
            250 ms, so this is late by up to ~0.3 s),

then restarts the killed instance and waits until both instances hold
partitions and every partition advances again before the next repetition.
Reported against session.timeout.ms (Weir's default 6000 ms, or --session-ms)
and twice it.

usage: bench-rebalance.py [--reps N] [--rate R] [--session-ms MS] [--heartbeat-ms MS] [--checkpoint-ms MS]
(--heartbeat-ms: heartbeat.interval.ms, librdkafka's default 3000 ms otherwise)
"""
import argparse, json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEIR = os.environ.get("WEIR", os.path.join(ROOT, ".build/release/weir"))
P = 16
JOB = "clicks-per-user"


class Serve:
    """A `weir serve` whose stderr lines are time-stamped as they arrive."""
    def __init__(self, work, bs, name, env_extra):
        self.name, self.lines, self.url = name, [], None
        env = dict(os.environ, WEIR_KAFKA_BOOTSTRAP_SERVERS=bs, WEIR_INSTANCE_ID=name,
                   WEIR_SAVEPOINTS_DIR=os.path.join(work, "savepoints"), **env_extra)
        os.makedirs(os.path.join(work, "empty"), exist_ok=True)
        self.log = open(os.path.join(work, f"{name}.log"), "a")
        self.proc = subprocess.Popen([WEIR, "serve", "--pipelines", os.path.join(work, "empty"), "--port", "0",
                                      "--address", "127.0.0.1", "--log-level", "info"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     cwd=work, env=env, text=True, bufsize=1)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.time() + 30
        while self.url is None:
            if time.time() > deadline or self.proc.poll() is not None:
                raise SystemExit(f"serve {name} did not start; see {self.log.name}")
            time.sleep(0.05)

    def _read(self):
        for line in self.proc.stdout:
            t = time.time()
            self.lines.append((t, line))
            self.log.write(f"{t:.3f} {line}")
            self.log.flush()
            m = re.search(r"REST API at (http://[0-9.]+:[0-9]+)", line)
            if m:
                self.url = m.group(1)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def alive(self):
        return self.proc.poll() is None


def lag(url):
    """{partition: (position, committed offset)} of the instance's tasks, or None."""
    try:
        with urllib.request.urlopen(f"{url}/jobs/{JOB}/lag", timeout=1) as r:
            j = json.load(r)
    except Exception:
        return None
    return {p["partition"]: (p.get("offset"), p.get("committed-offset")) for p in j.get("partitions", [])
            if p.get("topic") == "input-topic"}


class Poller:
    """GET /lag of every live instance every 50 ms; samples as (time, name, {partition: (pos, committed)})."""
    def __init__(self):
        self.instances, self.samples, self.stop = {}, [], False
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while not self.stop:
            for name, s in list(self.instances.items()):
                if s.alive():
                    parts = lag(s.url)
                    if parts is not None:
                        self.samples.append((time.time(), name, parts))
            time.sleep(0.05)

    def latest(self, name, since=0.0):
        for t, n, parts in reversed(self.samples):
            if n == name and t >= since:
                return parts
        return None


def wait_stable(poller, names, since, timeout=90):
    """Until every named instance holds partitions, all 16 are held, and each advanced since `since`."""
    deadline = time.time() + timeout
    first = {}
    while time.time() < deadline:
        held = {}
        for n in names:
            parts = poller.latest(n, since=time.time() - 0.5) or {}
            if not parts:
                break
            held.update({p: v for p, v in parts.items()})
        else:
            if len(held) == P:
                for p, (pos, _) in held.items():
                    if pos is not None:
                        first.setdefault(p, pos)
                if all(pos is not None and p in first and pos > first[p] for p, (pos, _) in held.items()):
                    return True
        time.sleep(0.2)
    for n in names:
        parts = poller.latest(n) or {}
        print(f"  {n}: {len(poller.samples)} samples, latest {dict(sorted(parts.items()))}", file=sys.stderr)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=6)
    ap.add_argument("--rate", type=int, default=800)
    ap.add_argument("--session-ms", type=int, default=None, help="session.timeout.ms for the instances (default: Weir's 6000)")
    ap.add_argument("--heartbeat-ms", type=int, default=None, help="heartbeat.interval.ms (default: librdkafka's 3000)")
    ap.add_argument("--checkpoint-ms", type=int, default=1000)
    a = ap.parse_args()
    session = a.session_ms or 6000
    env_extra = {"WEIR_KAFKA_PROPERTY_SESSION_TIMEOUT_MS": str(a.session_ms)} if a.session_ms else {}
    if a.heartbeat_ms:
        env_extra["WEIR_KAFKA_PROPERTY_HEARTBEAT_INTERVAL_MS"] = str(a.heartbeat_ms)
    work = tempfile.mkdtemp(prefix="bench-rebalance-")
    procs = []
    try:
        topics = ["input-topic", "output-topic", "clicks-dlq", "clicks-late", f"{JOB}-state"]
        broker = subprocess.Popen([WEIR, "broker"] + sum((["--topic", f"{t}:{P}"] for t in topics), []),
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(broker)
        bs = broker.stdout.readline().strip()
        # Enough events for the whole run at RATE/s (the broker keeps at most 5 MiB per partition).
        events = a.rate * (40 + 45 * a.reps)
        gen = subprocess.Popen([WEIR, "generate", "--bootstrap", bs, "--events", str(events), "--rate", str(a.rate)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(gen)
        with open(os.path.join(ROOT, "pipelines/clicks-per-user.yaml")) as f:
            text = re.sub(r"(?m)^parallelism:.*$", "", f.read())
        pipeline = os.path.join(work, "pipeline.yaml")
        with open(pipeline, "w") as f:
            f.write(text + f"\nparallelism: 2\ncheckpoint:\n  interval: {a.checkpoint_ms}ms\n")
        poller = Poller()
        inst = {}
        for n in ("a", "b"):
            inst[n] = Serve(work, bs, n, env_extra)
            poller.instances[n] = inst[n]
        out = subprocess.run([WEIR, "submit", pipeline, "--url", inst["a"].url], capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"submit failed: {out.stdout}{out.stderr}")
        print(f"bench-rebalance: 2 instances x parallelism 2, {P} partitions, {a.rate} events/s flowing, "
              f"session.timeout.ms {session}{'' if a.session_ms else ' (Weir default)'}, "
              f"heartbeat.interval.ms {a.heartbeat_ms or '3000 (librdkafka default)'}, checkpoint {a.checkpoint_ms} ms, "
              f"{a.reps} SIGKILLs; {os.cpu_count()} cores, load {open('/proc/loadavg').read().split()[:3]}")
        if not wait_stable(poller, ["a", "b"], time.time()):
            raise SystemExit("the two instances did not both hold partitions and advance within 90 s")
        results = []
        for rep in range(a.reps):
            victim, survivor = ("b", "a") if rep % 2 == 0 else ("a", "b")
            time.sleep(2)
            moved = sorted(poller.latest(victim) or {})
            if not moved:
                raise SystemExit(f"{victim} holds no partition before the kill")
            t0 = time.time()
            inst[victim].kill()
            assigned, resumed = {}, {}
            restored_at = {}
            deadline = t0 + max(60, 6 * session / 1000)
            while time.time() < deadline and len(resumed) < len(moved):
                for t, n, parts in [s for s in poller.samples if s[0] > t0 and s[1] == survivor]:
                    for p in moved:
                        if p in parts and p not in resumed:
                            pos, committed = parts[p]
                            restored_at.setdefault(p, committed if committed is not None else pos)
                            if pos is not None and restored_at[p] is not None and pos > restored_at[p]:
                                resumed[p] = t - t0
                time.sleep(0.1)
            # The survivor's "assigned" lines after the kill name the partitions its tasks took.
            for t, line in list(inst[survivor].lines):
                if t > t0 and " assigned" in line:
                    for p in moved:
                        if f"input-topic[{p}]" in line:
                            assigned.setdefault(p, t - t0)
            missing = [p for p in moved if p not in resumed]
            r = {"victim": victim, "moved": moved, "assigned_max": max(assigned.values(), default=None),
                 "resumed_min": min(resumed.values(), default=None), "resumed_max": max(resumed.values(), default=None),
                 "missing": missing}
            results.append(r)
            fmt = lambda v: "-" if v is None else f"{v:.2f} s"
            print(f"  kill {rep + 1}: {victim} (SIGKILL) held {len(moved)} partitions; on {survivor}: all assigned after "
                  f"{fmt(r['assigned_max'])}, first resumed {fmt(r['resumed_min'])}, all resumed {fmt(r['resumed_max'])}"
                  + (f"; NOT resumed within {deadline - t0:.0f} s: {missing}" if missing else ""), flush=True)
            t1 = time.time()
            inst[victim] = Serve(work, bs, victim, env_extra)
            poller.instances[victim] = inst[victim]
            if not wait_stable(poller, ["a", "b"], t1):
                raise SystemExit(f"after {victim}'s restart the two instances did not both hold partitions and advance within 90 s")
        done = [r["resumed_max"] for r in results if not r["missing"]]
        asg = [r["assigned_max"] for r in results if r["assigned_max"] is not None]
        print(f"all moved partitions resumed, kill to last: min {min(done):.2f} / median {statistics.median(done):.2f} / "
              f"max {max(done):.2f} s over {len(done)} kills ({len(results) - len(done)} incomplete); "
              f"assigned: min {min(asg):.2f} / median {statistics.median(asg):.2f} / max {max(asg):.2f} s; "
              f"session.timeout.ms {session} -> 2x = {2 * session / 1000:.1f} s: "
              f"{'within' if done and max(done) <= 2 * session / 1000 and len(done) == len(results) else 'NOT within'}")
        print(f"load after: {open('/proc/loadavg').read().split()[:3]}")
        return 0 if len(done) == len(results) else 1
    finally:
        for s in list(locals().get("inst", {}).values()):
            if s.alive():
                s.kill()
        for p in procs:
            p.kill()
            p.wait()
        if os.environ.get("KEEP"):
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
