#!/bin/sh
# Runs the 1M-event benchmark of BenchWorkloadTests in release mode with a malloc
# counter preloaded, so it reports allocations per record exactly.
#   Tests/WeirEngineTests/reference/bench.sh   (from the package root)
set -e
so=${TMPDIR:-/tmp}/weir_malloc_count.so
cc -O2 -shared -fPIC -x c -o "$so" - <<'EOF'
/* Counts malloc/calloc/realloc/posix_memalign calls of a process, for the
 * allocation numbers of the benchmark (BenchWorkloadTests):
 *   cc -O2 -shared -fPIC -o /tmp/malloc_count.so malloc_count.c
 *   LD_PRELOAD=/tmp/malloc_count.so WEIR_BENCH=1 swift test ...
 * Forwards to glibc's __libc_* entry points, so nothing else changes. */
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static volatile int64_t counter;

int64_t weir_malloc_count(void) { return __atomic_load_n(&counter, __ATOMIC_RELAXED); }

void *malloc(size_t n) { __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED); return __libc_realloc(p, n); }
int posix_memalign(void **out, size_t align, size_t n) {
    __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
    void *p = __libc_memalign(align, n);
    if (!p) return 12; /* ENOMEM */
    *out = p;
    return 0;
}
void *aligned_alloc(size_t align, size_t n) { __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED); return __libc_memalign(align, n); }
void *memalign(size_t align, size_t n) { __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED); return __libc_memalign(align, n); }
EOF
swift build --scratch-path .build-bench -c release -Xswiftc -enable-testing --build-tests
LD_PRELOAD="$so" WEIR_BENCH=1 swift test --skip-build --scratch-path .build-bench -c release -Xswiftc -enable-testing --filter BenchWorkloadTests/testBenchmark1M 2>&1 | grep -E "BENCH|passed|failed|error"
