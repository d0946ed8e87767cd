/* Counts allocation calls of a process and writes the total to
 * $WEIR_MALLOC_COUNT_OUT at exit. Forwards to glibc's __libc_* entry points. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
static volatile int64_t counter;
#define COUNT __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED)
void *malloc(size_t n) { COUNT; return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { COUNT; return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { COUNT; return __libc_realloc(p, n); }
int posix_memalign(void **out, size_t align, size_t n) { COUNT; void *p = __libc_memalign(align, n); if (!p) return 12; *out = p; return 0; }
void *aligned_alloc(size_t align, size_t n) { COUNT; return __libc_memalign(align, n); }
void *memalign(size_t align, size_t n) { COUNT; return __libc_memalign(align, n); }
__attribute__((destructor)) static void report(void) {
  const char *path = getenv("WEIR_MALLOC_COUNT_OUT");
  FILE *f = path ? fopen(path, "w") : NULL;
  if (f) { fprintf(f, "%lld\n", (long long)counter); fclose(f); }
}
