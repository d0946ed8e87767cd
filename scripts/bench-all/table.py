#!/usr/bin/env python3
"""The one table of issue 17's figures, from the logs of one scripts/bench-all.sh run.

  table.py LOGS [--smoke]

LOGS holds each benchmark script's output as NAME.txt (bench-flink, bench-checkpoint,
bench-kafka-memory, bench-pipe, bench-cep, bench-parquet) and machine.txt. Prints a
markdown table: figure, Weir, baseline, ratio, goal, met. A figure a log does not hold
is "-". With --smoke (tests/bench/smoke.sh, small inputs, no Flink) it only requires
Weir's own figure from every log, and exits 1 naming the log that lacks it.
"""
import os, re, sys


def read(logs, name):
    path = os.path.join(logs, name + ".txt")
    return open(path, errors="replace").read() if os.path.exists(path) else ""


def num(s):
    return float(s.replace(",", ""))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    smoke = "--smoke" in sys.argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    logs = args[0]
    rows, missing = [], []

    def row(figure, weir, baseline, ratio, goal, met):
        rows.append((figure, weir, baseline, ratio, goal, met))

    # Windows: steady-state events per CPU-second and the 1M file job's wall time vs Flink.
    t = read(logs, "bench-flink")
    # "Weir" decodes on a second thread (the default); "Weir 1 thread" is --single-thread.
    steady = re.findall(r"steady state \((\d+) -> (\d+) events, median CPU\): (Weir(?: 1 thread)?) ([\d.]+) M events/CPU-s, "
                        r"Flink p=(\d) ([\d.]+) M events/CPU-s: ([\d.]+)x", t)
    for label in ("Weir 1 thread", "Weir"):
        mode = "one thread" if label.endswith("thread") else "decoding on a second thread"
        for a, b, _, w, p, f, x in [s for s in steady if s[2] == label][:2]:
            row(f"windows, steady state ({int(a):,} -> {int(b):,} events), events per CPU-s, Weir {mode}", f"{w} M",
                f"Flink p={p}: {f} M", f"{x}x", ">= 4x", "yes" if float(x) >= 4 else "no")
    for n, p, label, wall in re.findall(r"^(\d+) events, Flink p=(\d) vs (Weir(?: 1 thread)?): events/CPU-s [\d.]+x, wall ([\d.]+)x", t, re.M):
        if int(n) == 1_000_000:
            mode = "one thread" if label.endswith("thread") else "decoding on a second thread"
            row(f"windows, 1M-event file job end to end (start-up included), wall time, Weir {mode}", "-", f"Flink p={p}",
                f"{wall}x faster", ">= 15x", "yes" if float(wall) >= 15 else "no")
    weir_rows = re.findall(r"^\| Weir \| (\d+) \| ([\d.]+) \(", t, re.M)
    if not weir_rows:
        missing.append("bench-flink (no Weir row)")

    # Checkpoint pause.
    t = read(logs, "bench-checkpoint")
    m = re.search(r"pause_p50_ms=([\d.]+) pause_p99_ms=([\d.]+)", t)
    if m:
        row("checkpoint pause p99 (118k keys, 1 s checkpoints)", f"{m.group(2)} ms (p50 {m.group(1)})", "-", "-",
            "< 10 ms", "yes" if float(m.group(2)) < 10 else "no")
    else:
        missing.append("bench-checkpoint")

    # Peak RSS of the 1M-event Kafka job: Weir's defaults vs librdkafka's own.
    t = read(logs, "bench-kafka-memory")
    w = re.findall(r"^weir +\d+ +([\d.]+) +(\S+)", t, re.M)
    l = re.findall(r"^librdkafka +\d+ +([\d.]+) +(\S+)", t, re.M)
    if w:
        rss, rate = w[0]
        base = f"librdkafka defaults: {l[0][0]} MiB, {l[0][1]} rec/s" if l else "-"
        ratio = f"{float(rss) / float(l[0][0]):.2f}x RSS" if l else "-"
        row("peak RSS, 1M-event Kafka job, 1 task", f"{rss} MiB, {rate} rec/s", base, ratio, "< 50 MB",
            "yes" if float(rss) * 1.048576 < 50 else "no")
    else:
        missing.append("bench-kafka-memory")

    # The Kafka pipeline against the C baseline on the raw libraries.
    t = read(logs, "bench-pipe")
    c = re.search(r"^PIPE .*=> (\d+) msgs/s", t, re.M)
    fm = re.search(r"^BENCH weir bench-filter-map .*=> (\d+) events/s", t, re.M)
    wi = re.search(r"^BENCH weir bench-windows .*=> (\d+) events/s", t, re.M)
    for name, m in (("filter/map", fm), ("windows", wi)):
        if m:
            base = int(c.group(1)) if c else None
            row(f"Kafka pipeline ({name}), events/s", f"{int(m.group(1)):,}", f"C rdkafka-pipe: {base:,}" if base else "-",
                f"{int(m.group(1)) / base:.2f}x" if base else "-", "-", "-")
        else:
            missing.append(f"bench-pipe ({name})")

    # CEP against MATCH_RECOGNIZE.
    t = read(logs, "bench-cep")
    wk = re.search(r"steady state \(.*\): weir (\d+) k events per CPU-second", t)
    fk = re.search(r"steady state \(.*\): flink (\d+) k events per CPU-second", t)
    x = re.search(r"Weir / Flink at steady state: ([\d.]+)x", t)
    if wk:
        row("CEP, steady state, events per CPU-s", f"{wk.group(1)} k", f"Flink MATCH_RECOGNIZE: {fk.group(1)} k" if fk else "-",
            f"{x.group(1)}x" if x else "-", ">= 3x", ("yes" if float(x.group(1)) >= 3 else "no") if x else "-")
    else:
        missing.append("bench-cep")

    # Parquet writer against pyarrow.
    t = read(logs, "bench-parquet")
    m = re.search(r"rows per CPU-second: weir ([\d,]+), pyarrow ([\d,]+) \(weir/pyarrow ([\d.]+)x\)", t)
    s = re.search(r"file size: weir ([\d,]+) B, pyarrow ([\d,]+) B \(weir/pyarrow ([\d.]+)\)", t)
    if m:
        row("Parquet, ZSTD, rows per CPU-s", m.group(1), f"pyarrow: {m.group(2)}", f"{m.group(3)}x", ">= 0.8x",
            "yes" if float(m.group(3)) >= 0.8 else "no")
    else:
        missing.append("bench-parquet")
    if s:
        row("Parquet file size", f"{s.group(1)} B", f"pyarrow: {s.group(2)} B", f"{s.group(3)}x", "within 15%",
            "yes" if abs(float(s.group(3)) - 1) <= 0.15 else "no")

    machine = read(logs, "machine").strip()
    if machine:
        print(machine)
        print()
    print("| figure | Weir | baseline | ratio | goal | met |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    if missing:
        print()
        print("not found in the logs: " + ", ".join(missing))
    sys.exit(1 if smoke and missing else 0)


if __name__ == "__main__":
    main()
