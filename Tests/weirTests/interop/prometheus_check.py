#!/usr/bin/env python3
"""Parses a Prometheus text exposition with prometheus_client's own parser (an
independent reader of the format) and prints, as JSON, every sample summed by
metric name and by (name, job), plus the type of each family and the labels of
weir_build_info. Fails on anything the parser refuses.

usage: prometheus_check.py METRICS.txt
"""
import json
import sys
from prometheus_client.parser import text_string_to_metric_families

def main():
    text = open(sys.argv[1]).read()
    totals, by_job, types, build = {}, {}, {}, None
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for s in family.samples:
            totals[s.name] = totals.get(s.name, 0) + s.value
            if "job" in s.labels:
                key = f"{s.name}|{s.labels['job']}"
                by_job[key] = by_job.get(key, 0) + s.value
            if s.name == "weir_build_info":
                build = s.labels
    print(json.dumps({"totals": totals, "byJob": by_job, "types": types, "build": build}))

if __name__ == "__main__":
    main()
