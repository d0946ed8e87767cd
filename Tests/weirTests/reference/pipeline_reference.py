#!/usr/bin/env python3
"""Independent reference for `weir run` on a file-source window pipeline.

  pipeline_reference.py generate SEED KIND DIR   writes DIR/part-{0,1,2}.jsonl and DIR/pipeline.yaml
  pipeline_reference.py check DIR                computes the expected output and compares it with
                                                 what weir wrote (DIR/out.jsonl, late.jsonl, dead.jsonl)

KIND: tumbling | sliding | session. The input has out-of-order and late events
(some within the allowed lateness, some beyond), several keys (two key fields,
one an expression), null amounts, filtered, malformed and time-less records, and
a short file that holds the watermark back until it ends (a finished file stops
counting, like an idle partition). Event time is epoch millis (tumbling),
ISO-8601 (sliding) or fractional epoch seconds (session).

The rules, written out plainly (docs/pipelines.md, docs/windows.md):
- files are read round-robin, one line each in turn; blank lines are skipped;
- a record that is not JSON, or has no time field, is a dead letter; a
  filtered record never reaches the windows (and does not move the watermark);
- watermark = min over files not yet ended of (max event time - 300 ms); a
  file with no record yet holds it at -inf; it never goes back; it is
  recomputed after every line and when a file ends;
- a window [s, e) fires when e - 1 <= watermark; it is kept until
  e - 1 + 500 ms <= watermark; a record for a kept window that has fired fires
  it again (an update row); a record whose windows are all gone is late data;
- sessions: [t, t + gap) merges with every window of the key it touches;
- at the end every window that has not fired fires.
Output rows are compared as a multiset, values exact: sums, minima and maxima
to the cent (the printed decimal must be exactly the sum of the cents), averages
as the double nearest to the exact average.
"""
import collections
import datetime
import json
import os
import random
import sys
from decimal import Decimal
from fractions import Fraction

OOO = 300
LATENESS = 500
TUMBLE = 1000
SLIDE_SIZE, SLIDE = 1500, 500
GAP = 400
BASE = 1_795_600_800_000
FORMATS = {"tumbling": "epochMillis", "sliding": "iso8601", "session": "epochSeconds"}
NEG_INF = float("-inf")


# ---------------------------------------------------------------- generation

def ts_text(kind, ts):
    if kind == "tumbling":
        return str(ts)
    if kind == "sliding":
        d = datetime.datetime.fromtimestamp(ts // 1000, datetime.timezone.utc)
        return '"%s.%03dZ"' % (d.strftime("%Y-%m-%dT%H:%M:%S"), ts % 1000)
    return "%d.%03d" % (ts // 1000, ts % 1000)


def generate(seed, kind, out_dir):
    rng = random.Random(seed * 7 + len(kind))
    lengths = [1500, 1500, 400]
    users = ["u%d" % i for i in range(20)]
    regions = ["eu", "EU", "us", "Us"]
    paths = []
    for f, n in enumerate(lengths):
        lines = []
        for i in range(n):
            t = BASE + i * 20 - rng.randrange(0, OOO)
            if f == 2:
                t -= 1000                                 # behind the others: holds the watermark back
            if i > 0 and i % 300 == 0:
                lines.append("")                          # blank lines are skipped
            r = rng.random()
            if r < 0.04:
                t -= rng.randrange(OOO, 3000)             # late: within the lateness or beyond
            elif r < 0.09:
                t -= rng.randrange(0, GAP * 2)            # shapes session merges
            user = rng.choice(users)
            region = rng.choice(regions)
            cents = rng.randrange(1, 50_001)
            amount = "null" if rng.random() < 0.01 else "%d.%02d" % (cents // 100, cents % 100)
            event = "noise" if rng.random() < 0.02 else "click"
            page = "p%d" % (t % 13)                       # a function of the time: first/last ties agree
            fields = ['"event":"%s"' % event, '"user":"%s"' % user, '"region":"%s"' % region,
                      '"amount":%s' % amount, '"page":"%s"' % page]
            x = rng.random()
            if x < 0.005:
                line = "{" + ",".join(fields)             # malformed: not JSON
            elif x < 0.01:
                line = "{" + ",".join(fields) + "}"       # no time field
            else:
                line = "{" + ",".join(fields + ['"ts":%s' % ts_text(kind, t)]) + "}"
            lines.append(line)
        path = os.path.join(out_dir, "part-%d.jsonl" % f)
        with open(path, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        paths.append(path)
    window = {"tumbling": "{tumbling: 1s, allowedLateness: 500ms}",
              "sliding": "{sliding: {size: 1500ms, slide: 500ms}, allowedLateness: 500ms}",
              "session": "{session: {gap: 400ms}, allowedLateness: 500ms}"}[kind]
    with open(os.path.join(out_dir, "pipeline.yaml"), "w") as fh:
        fh.write("""name: ref-%s
source:
  file: {paths: [%s]}
time:
  eventTime: {field: ts, format: %s}
  watermark: {maxOutOfOrderness: 300ms}
steps:
  - filter: "event != 'noise'"
  - keyBy: [user, "lower(region) as region"]
  - window: %s
  - aggregate:
      n: count()
      total: sum(amount)
      lo: min(amount)
      hi: max(amount)
      mean: avg(amount)
      pages: count_distinct(page)
      first_page: first(page)
      last_page: last(page)
sink:
  file: {path: %s}
deadLetter: {file: %s}
lateData: {file: %s}
""" % (kind, ", ".join('"%s"' % p for p in paths), FORMATS[kind], window,
       os.path.join(out_dir, "out.jsonl"), os.path.join(out_dir, "dead.jsonl"),
       os.path.join(out_dir, "late.jsonl")))
    with open(os.path.join(out_dir, "kind"), "w") as fh:
        fh.write(kind)


# ---------------------------------------------------------------- reference

def parse_ts(kind, v):
    if kind == "tumbling":
        return v if isinstance(v, int) else None
    if kind == "sliding":
        if not isinstance(v, str):
            return None
        d = datetime.datetime.strptime(v[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
        return int(d.timestamp()) * 1000 + int(v[20:23])
    if not isinstance(v, (int, float)):
        return None
    return int(round(Fraction(v) * 1000))


class Acc:
    def __init__(self):
        self.n = 0
        self.cents = []          # non-null amounts
        self.pages = set()
        self.first = None        # (ts, page)
        self.last = None
        self.fired = False

    def add(self, cents, page, ts):
        self.n += 1
        if cents is not None:
            self.cents.append(cents)
        self.pages.add(page)
        if self.first is None or ts < self.first[0]:
            self.first = (ts, page)
        if self.last is None or ts >= self.last[0]:
            self.last = (ts, page)

    def absorb(self, o):
        self.n += o.n
        self.cents += o.cents
        self.pages |= o.pages
        if o.first[0] < self.first[0]:
            self.first = o.first
        if o.last[0] >= self.last[0]:
            self.last = o.last

    def row(self, key, w):
        c = self.cents
        return canonical(key[0], key[1], w[0], w[1], self.n,
                         sum(c) if c else None, min(c) if c else None, max(c) if c else None,
                         repr(float(Fraction(sum(c), 100 * len(c)))) if c else None,
                         len(self.pages), self.first[1], self.last[1])


def canonical(user, region, start, end, n, total, lo, hi, mean, pages, first, last):
    return "%s|%s|%d|%d|n=%d|total=%s|lo=%s|hi=%s|mean=%s|pages=%d|%s|%s" % (
        user, region, start, end, n, total, lo, hi, mean, pages, first, last)


def windows_of(kind, ts):
    if kind == "tumbling":
        s = ts - ts % TUMBLE
        return [(s, s + TUMBLE)]
    last = ts - ts % SLIDE
    return [(s, s + SLIDE_SIZE) for s in range(last, ts - SLIDE_SIZE, -SLIDE)]


def expected(out_dir):
    kind = open(os.path.join(out_dir, "kind")).read()
    files = [open(os.path.join(out_dir, "part-%d.jsonl" % f)).read().split("\n") for f in range(3)]
    for f in files:
        if f and f[-1] == "":
            f.pop()                                     # the final newline ends the last line
    rows, late, dead = [], [], []
    state = {}                                          # key -> {(start, end): Acc}
    maxes = {p: None for p in range(3)}
    ended = set()
    wm = [NEG_INF]

    def cleanup(end):
        return end - 1 + LATENESS

    def emit(key, w, acc):
        rows.append(acc.row(key, w))
        acc.fired = True

    def advance():
        live = [NEG_INF if maxes[p] is None else maxes[p] - OOO for p in maxes if p not in ended]
        if live and min(live) > wm[0]:
            wm[0] = min(live)
            for key in state:
                ws = state[key]
                for w in sorted(ws):
                    if not ws[w].fired and w[1] - 1 <= wm[0]:
                        emit(key, w, ws[w])
                    if cleanup(w[1]) <= wm[0]:
                        del ws[w]

    def process(p, lineno, text):
        try:
            e = json.loads(text)
        except ValueError:
            dead.append((p, lineno, "decode"))
            return
        if e.get("event") is None or e.get("event") == "noise":
            return
        ts = parse_ts(kind, e.get("ts"))
        if ts is None:
            dead.append((p, lineno, "timestamp"))
            return
        maxes[p] = ts if maxes[p] is None else max(maxes[p], ts)
        key = (e["user"], e["region"].lower())
        a = e["amount"]
        cents = None if a is None else int(round(Fraction(str(a)) * 100))
        page = e["page"]
        ws = state.setdefault(key, {})
        if kind == "session":
            new = (ts, ts + GAP)
            hits = sorted(w for w in ws if w[0] <= new[1] and w[1] >= new[0])
            if not hits:
                if cleanup(new[1]) <= wm[0]:
                    late.append(text)
                    return
                ws[new] = Acc()
                target = new
            else:
                merged = (min([new[0]] + [w[0] for w in hits]), max([new[1]] + [w[1] for w in hits]))
                if len(hits) == 1 and hits[0] == merged:
                    target = merged
                else:
                    acc = ws.pop(hits[0])
                    for w in hits[1:]:
                        acc.absorb(ws.pop(w))
                    acc.fired = False                   # a merged session is a new window
                    ws[merged] = acc
                    target = merged
            ws[target].add(cents, page, ts)
            if target[1] - 1 <= wm[0]:
                emit(key, target, ws[target])
            return
        accepted = False
        for w in windows_of(kind, ts):
            if cleanup(w[1]) <= wm[0]:
                continue
            accepted = True
            acc = ws.setdefault(w, Acc())
            acc.add(cents, page, ts)
            if w[1] - 1 <= wm[0]:
                emit(key, w, acc)
        if not accepted:
            late.append(text)

    pos = [0, 0, 0]
    active = [0, 1, 2]
    while active:
        i = 0
        while i < len(active):
            p = active[i]
            if pos[p] == len(files[p]):
                ended.add(p)
                active.pop(i)
                advance()
                continue
            text = files[p][pos[p]]
            pos[p] += 1
            i += 1
            if text == "":
                continue
            process(p, pos[p], text)
            advance()
    for key in state:
        for w, acc in sorted(state[key].items()):
            if not acc.fired:
                emit(key, w, acc)
    return kind, rows, late, dead


# ---------------------------------------------------------------- comparison

def exact_cents(d):
    """The printed number as integer cents, or a marker when it is not a whole number of cents."""
    if d is None:
        return None
    c = Decimal(d) * 100
    return int(c) if c == c.to_integral_value() else "INEXACT(%s)" % d


def weir_rows(path):
    out = []
    with open(path) as fh:
        for line in fh:
            o = json.loads(line, parse_float=Decimal)
            mean = o.get("mean")
            out.append(canonical(o["user"], o["region"], o["window_start"], o["window_end"], o["n"],
                                 exact_cents(o.get("total")), exact_cents(o.get("lo")), exact_cents(o.get("hi")),
                                 None if mean is None else repr(float(mean)),
                                 o["pages"], o["first_page"], o["last_page"]))
    return out


def check(out_dir):
    kind, rows, late, dead = expected(out_dir)
    got = weir_rows(os.path.join(out_dir, "out.jsonl"))
    got_late = open(os.path.join(out_dir, "late.jsonl")).read().split("\n")[:-1]
    got_dead = []
    names = {os.path.join(out_dir, "part-%d.jsonl" % p): p for p in range(3)}
    for line in open(os.path.join(out_dir, "dead.jsonl")):
        d = json.loads(line)
        got_dead.append((names.get(d["file"], d["file"]), d["line"], d["error"]))
    ok = True

    def compare(what, want, have):
        nonlocal ok
        w, h = collections.Counter(want), collections.Counter(have)
        missing, extra = w - h, h - w
        if missing or extra:
            ok = False
            print("%s %s: MISMATCH missing=%d extra=%d" % (kind, what, sum(missing.values()), sum(extra.values())))
            for m in list(missing)[:5]:
                print("  missing", m)
            for x in list(extra)[:5]:
                print("  extra  ", x)
    compare("rows", rows, got)
    compare("late records", late, got_late)
    compare("dead letters", dead, got_dead)
    updates = len(rows) - len({r.split("|n=")[0] for r in rows})
    print("reference %s: rows=%d (updates=%d) late=%d dead=%d; weir rows=%d late=%d dead=%d: %s" % (
        kind, len(rows), updates, len(late), len(dead), len(got), len(got_late), len(got_dead),
        "PASS" if ok else "FAIL"))
    if updates == 0 or not late or not dead:
        print("scenario too easy: it must have update rows, late records and dead letters")
        ok = False
    return 0 if ok else 1


def main():
    if sys.argv[1] == "generate":
        generate(int(sys.argv[2]), sys.argv[3], sys.argv[4])
        return 0
    if sys.argv[1] == "check":
        return check(sys.argv[2])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
