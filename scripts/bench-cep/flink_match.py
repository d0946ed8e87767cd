#!/usr/bin/env python3
"""The CEP benchmark's Flink side: MATCH_RECOGNIZE over gen.py's events in
PyFlink (Table API, streaming mode, pure SQL, no Python UDFs), the same
pattern as scripts/bench-cep.sh's Weir pipeline: per user_id, an `a` event,
then at once a `b`, then at once a `c` (strict contiguity, as MATCH_RECOGNIZE's
PATTERN (A B C)), within one minute, AFTER MATCH SKIP PAST LAST ROW, with a
2 s watermark. All work runs in the gateway JVM's MiniCluster.

  flink_match.py --input events.jsonl [--parallelism 1] [--sink blackhole|filesystem --output DIR]

Prints one line "RESULT {json}": jvm_cpu_job_s (CPU seconds of the JVM from
submission to the job's end), jvm_cpu_total_s, jvm_peak_rss_mib (VmHWM),
t_total_s, other_cpu_job_s (CPU other processes used meanwhile).
"""
import argparse
import json
import os
import time

T_START = time.time()

from pyflink.table import EnvironmentSettings, TableEnvironment  # noqa: E402
from pyflink.java_gateway import get_gateway  # noqa: E402

SOURCE = """
CREATE TABLE events (
  user_id STRING,
  kind    STRING,
  ts      BIGINT,
  rt AS TO_TIMESTAMP_LTZ(ts, 3),
  WATERMARK FOR rt AS rt - INTERVAL '2' SECOND
) WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'json')"""

SINK = """
CREATE TABLE sink (user_id STRING, a_ts BIGINT, c_ts BIGINT) WITH ({options})"""

QUERY = """
INSERT INTO sink
SELECT user_id, a_ts, c_ts FROM events
MATCH_RECOGNIZE (
  PARTITION BY user_id
  ORDER BY rt
  MEASURES A.ts AS a_ts, C.ts AS c_ts
  ONE ROW PER MATCH
  AFTER MATCH SKIP PAST LAST ROW
  PATTERN (A B C) WITHIN INTERVAL '1' MINUTE
  DEFINE A AS A.kind = 'a', B AS B.kind = 'b', C AS C.kind = 'c'
) AS m"""


def proc_cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_hwm_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return None


def host_busy_s():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq = v[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--parallelism", type=int, default=1)
    ap.add_argument("--sink", choices=["blackhole", "filesystem"], default="blackhole")
    ap.add_argument("--output")
    a = ap.parse_args()
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    cfg = t_env.get_config()
    cfg.set("parallelism.default", str(a.parallelism))
    cfg.set("table.local-time-zone", "UTC")
    jvm = get_gateway().jvm
    pid = jvm.java.lang.ProcessHandle.current().pid()
    t_env.execute_sql(SOURCE.format(path="file://" + os.path.abspath(a.input)))
    if a.sink == "blackhole":
        options = "'connector' = 'blackhole'"
    else:
        options = "'connector' = 'filesystem', 'path' = 'file://%s', 'format' = 'csv'" % os.path.abspath(a.output)
    t_env.execute_sql(SINK.format(options=options))
    cpu0, busy0, self0 = proc_cpu_s(pid), host_busy_s(), time.process_time()
    result = t_env.execute_sql(QUERY)
    result.get_job_client().get_job_execution_result().result()
    cpu1, busy1, self1 = proc_cpu_s(pid), host_busy_s(), time.process_time()
    print("RESULT " + json.dumps({
        "input": a.input, "parallelism": a.parallelism, "sink": a.sink,
        "flink_version": jvm.org.apache.flink.runtime.util.EnvironmentInformation.getVersion(),
        "jvm_cpu_job_s": round(cpu1 - cpu0, 2), "jvm_cpu_total_s": round(cpu1, 2),
        "jvm_peak_rss_mib": vm_hwm_mib(pid), "t_total_s": round(time.time() - T_START, 2),
        "other_cpu_job_s": round((busy1 - busy0) - (cpu1 - cpu0) - (self1 - self0), 2),
    }), flush=True)


if __name__ == "__main__":
    main()
