#!/usr/bin/env python3
"""Independent reference for Weir's event-time window operator.

  window_reference.py SEED KIND SCENARIO_OUT EXPECTED_OUT

Generates a scenario (records over 3 partitions with out-of-order and late
event times, an idle period of one partition, periodic ticks) and computes,
with Flink's rules written out plainly, what the watermark tracker + window
operator must emit. KIND: tumbling | sliding | session.

Scenario lines:   R <partition> <key> <ts> <amount> <now>   |   T <now>
Expected lines:   E <step> <insert|update> <key> <start> <end> <count> <sum> <min> <max>
                  L <step> <partition> <key> <ts>
<step> = number of scenario lines handled before the emission (end of input = len).
Sums are exact (integer cents) and printed as Python's repr of cents/100,
i.e. the shortest round-trip form of the double nearest to the exact decimal.
"""
import random
import sys

OOO = 300            # max out-of-orderness (ms)
IDLE = 1000          # idle timeout (processing-time ms)
LATENESS = 500       # allowed lateness (ms)
TUMBLE = 1000
SLIDE_SIZE, SLIDE = 1500, 500
GAP = 400
NEG_INF = float("-inf")


def generate(seed):
    rng = random.Random(seed)
    keys = ["k%d" % i for i in range(9)]      # key k<i> lives on partition i % 3
    lines = []
    now = 1_000_000
    base = 1_795_600_800_000
    for i in range(4000):
        now += 10
        idle_phase = 1500 <= i < 1900              # partition 2 sends nothing: idle after 1 s
        while True:
            k = rng.choice(keys)
            p = int(k[1:]) % 3
            if not (idle_phase and p == 2):
                break
        t = base + i * 25 - rng.randrange(0, OOO)  # in order within OOO
        if p == 2:
            t -= 1500 if i >= 1900 else 0          # after its idle period, partition 2 is behind
        if rng.random() < 0.03:
            t -= rng.randrange(OOO, 3000)          # late, some within the lateness, some beyond
        if rng.random() < 0.05:
            t -= rng.randrange(0, GAP * 2)         # shapes session merges
        cents = rng.randrange(1, 50_001)
        lines.append("R %d %s %d %d.%02d %d" % (p, k, t, cents // 100, cents % 100, now))
        if i % 20 == 19:
            lines.append("T %d" % now)
    return lines


class Tracker:
    def __init__(self):
        self.parts = {}     # p -> [max_ts or None, last_record_now, idle]
        self.wm = NEG_INF

    def observe(self, p, ts, now):
        s = self.parts.setdefault(p, [None, now, False])
        if s[0] is None or ts > s[0]:
            s[0] = ts
        s[1] = now
        s[2] = False

    def advance(self, now):
        active = []
        for s in self.parts.values():
            if not s[2] and now - s[1] >= IDLE:
                s[2] = True
            if not s[2]:
                active.append(NEG_INF if s[0] is None else s[0] - OOO)
        if active and min(active) > self.wm:
            self.wm = min(active)
        return self.wm


class Acc:
    def __init__(self):
        self.count, self.cents, self.min, self.max, self.fired = 0, 0, None, None, False

    def add(self, c):
        self.count += 1
        self.cents += c
        self.min = c if self.min is None else min(self.min, c)
        self.max = c if self.max is None else max(self.max, c)

    def absorb(self, o):
        self.count += o.count
        self.cents += o.cents
        self.min = min(self.min, o.min)
        self.max = max(self.max, o.max)


def windows_of(kind, ts):
    if kind == "tumbling":
        s = ts - ts % TUMBLE
        return [(s, s + TUMBLE)]
    last = ts - ts % SLIDE
    return [(s, s + SLIDE_SIZE) for s in range(last, ts - SLIDE_SIZE, -SLIDE)]


def cents_text(c):
    return repr(c / 100)


def run(kind, lines):
    tracker = Tracker()
    wm = NEG_INF
    state = {}          # key -> {(start, end): Acc}
    out = []

    def emit(step, key, w, acc):
        out.append("E %d %s %s %d %d %d %s %s %s" % (
            step, "update" if acc.fired else "insert", key, w[0], w[1], acc.count,
            cents_text(acc.cents), cents_text(acc.min), cents_text(acc.max)))
        acc.fired = True

    def cleanup(end):
        return end - 1 + LATENESS

    def fire(step):
        for key in sorted(state):
            ws = state[key]
            for w in sorted(ws):
                acc = ws[w]
                if not acc.fired and w[1] - 1 <= wm:
                    emit(step, key, w, acc)
                if cleanup(w[1]) <= wm:
                    del ws[w]

    for step, line in enumerate(lines):
        f = line.split()
        if f[0] == "T":
            new = tracker.advance(int(f[1]))
            if new > wm:
                wm = new
                fire(step)
            continue
        p, key, ts, now = int(f[1]), f[2], int(f[3]), int(f[5])
        whole, frac = f[4].split(".")
        cents = int(whole) * 100 + int(frac)
        tracker.observe(p, ts, now)
        ws = state.setdefault(key, {})
        if kind == "session":
            new = (ts, ts + GAP)
            hits = [w for w in ws if w[0] <= new[1] and w[1] >= new[0]]
            if not hits:
                if cleanup(new[1]) <= wm:
                    out.append("L %d %d %s %d" % (step, p, key, ts))
                    continue
                ws[new] = Acc()
                target = new
            else:
                merged = (min([new[0]] + [w[0] for w in hits]), max([new[1]] + [w[1] for w in hits]))
                if len(hits) == 1 and hits[0] == merged:
                    target = merged
                else:
                    acc = Acc()
                    first = True
                    for w in hits:
                        o = ws.pop(w)
                        if first:
                            acc.count, acc.cents, acc.min, acc.max = o.count, o.cents, o.min, o.max
                            first = False
                        else:
                            acc.absorb(o)
                    ws[merged] = acc          # a new window: not fired yet
                    target = merged
            ws[target].add(cents)
            if target[1] - 1 <= wm:
                emit(step, key, target, ws[target])
        else:
            accepted = False
            for w in windows_of(kind, ts):
                if cleanup(w[1]) <= wm:
                    continue
                accepted = True
                acc = ws.setdefault(w, Acc())
                acc.add(cents)
                if w[1] - 1 <= wm:
                    emit(step, key, w, acc)
            if not accepted:
                out.append("L %d %d %s %d" % (step, p, key, ts))
    wm = float("inf")
    fire(len(lines))
    return out


def main():
    seed, kind, scenario_out, expected_out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    lines = generate(seed)
    with open(scenario_out, "w") as f:
        f.write("\n".join(lines) + "\n")
    out = run(kind, lines)
    with open(expected_out, "w") as f:
        f.write("\n".join(out) + "\n")
    print("reference: %s lines=%d emitted=%d updates=%d late=%d" % (
        kind, len(lines), sum(1 for o in out if o[0] == "E"), sum(1 for o in out if " update " in o),
        sum(1 for o in out if o[0] == "L")))


if __name__ == "__main__":
    main()
