#!/usr/bin/env bash
# All tests: the Swift test suites (unit, embedded-broker end-to-end, CLI), the
# REST API against its OpenAPI document, the deployment artefacts checked
# statically and the image's root filesystem run by chroot, then
# the kill -9 crash tests (tests/crash, also the files sink's Parquet one and the pattern step's), the scale-out tests with several
# instances (tests/scaleout), the service tests of weir serve (tests/service),
# the web UI's browser tests (tests/ui) and the benchmark scripts' smoke test
# (tests/bench: each runs once on a small input; the benchmarks measure, CI does not).
# Pass --quick to skip those five.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export WEIR_REQUIRE_FLINK_ORACLE=1   # the CEP oracle (Flink's own NFA) must run, not skip
swift build --build-tests
swift test --skip-build
.build/debug/weir test                             # the pipelines' own tests (docs/testing.md)
WEIR=.build/debug/weir tests/api/schemathesis.sh   # the REST API against its OpenAPI document (~15 s)
WEIR=.build/debug/weir tests/deploy/validate.sh    # Dockerfile, compose, Kubernetes manifests, deploy.sh, statically (~45 s)
WEIR=.build/debug/weir tests/deploy/rootfs.sh      # the image's root filesystem by debootstrap, weir run in it by chroot (~3 min first, ~10 s cached)
if [ "${1:-}" = "--quick" ]; then exit 0; fi
passed=0; failed=0
run_crash() {
  echo "== crash test: $*"
  if WEIR=.build/debug/weir tests/crash/crash-test.sh "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
run_crash 200000 20 1 5000     # events, kills, parallelism, checkpoint interval (ms)
run_crash 200000 20 2 5000
run_crash 200000 20 1 200
WEIR_CRASH_FLOWING=1 WEIR_CRASH_RUN_SECONDS="6 8" WEIR_CHECKPOINT_TEST_WRITE_DELAY_MS=3000 run_crash 200000 20 1 200   # input flowing, runs of 6-14 s (a restart waits out the killed member's session), each asynchronous write held 3 s: >= 2 of 20 kills must land mid-write (~4 min)
echo "== crash test, files sink (Parquet)"   # 20 kills while events arrive, renames delayed 300 ms so kills land between commit and rename; exactly once in the lake (~4 min)
if WEIR=.build/debug/weir WEIR_FILES_SINK_TEST_RENAME_DELAY_MS=300 tests/crash/crash-test-parquet.sh 200000 20 2 1000; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
echo "== crash test, pattern step (CEP)"   # abandoned-carts (noSkip), 20 kills while events arrive, both topics exact against a file-job reference (127-165 s)
if WEIR=.build/debug/weir tests/crash/crash-test-cep.sh 40000 20 1 1000; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
run_scaleout() {
  echo "== scale-out test: $*"
  if WEIR=.build/debug/weir "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
DRAIN_MS="4000 8000" run_scaleout tests/scaleout/instances.sh  # 1, 2, 3 instances give identical windows; the first drains and leaves early (~75 s)
run_scaleout tests/scaleout/handover.sh 350000     # two instances, one stopped right after it starts (~50 s)
run_scaleout tests/scaleout/rolling-restart.sh     # three instances SIGTERMed and restarted in turn (~70 s)
run_scaleout tests/scaleout/chaos.sh 200000 20     # three instances, 20 SIGKILLs (+ a few SIGTERMs), 1-3 running, restarts (~2-2.7 min)
run_scaleout tests/service/two-instances.sh        # weir serve: a job on two instances, one killed and restarted, cancel via the other (~65 s)
run_scaleout tests/service/savepoints.sh           # savepoint, stop, restore over REST and with weir run --from-savepoint (~35 s)
run_scaleout tests/service/sigterm-restart.sh      # SIGTERM mid-stream exits 0, the restart resumes from the jobs topic (~40 s)
run_scaleout tests/cep/pattern-on-kafka.sh         # a pattern step with a timedOut topic under weir run on weir broker (~10 s)
run_scaleout tests/ui/run.sh                       # the web UI in headless Chromium against weir serve (~90 s)
run_scaleout tests/bench/smoke.sh                  # every scripts/bench-*.sh once on a small input, debug build, Flink left out: runs to completion, prints its figures (~2.5 min)
echo "end-to-end: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
