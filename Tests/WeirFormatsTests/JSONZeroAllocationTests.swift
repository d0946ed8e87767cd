import XCTest
import Foundation
import Glibc
import WeirFormats

/// Steady state must not allocate: after warm-up, decoding and encoding
/// records (projected and edited, with escapes, fragments, many keys, a large
/// record, a framed one) must neither fall back to malloc in the parser arena
/// nor call malloc at all. The second is counted for real by a tiny malloc
/// interposer (LD_PRELOAD) in a child run of this test binary.
final class JSONZeroAllocationTests: XCTestCase {
    static let iterations = 10_000

    static let workload: [[UInt8]] = {
        var docs = [
            #"{"user_id":"u123","amount":12.34,"ts":1764064800123}"#,
            #"{"user_id":"caf\u00e9 \ud83d\ude00 \"q\"","amount":-1e3,"ts":9223372036854775807,"page":{"url":"/a\/b","n":[1,2,{"k":null}]},"drop":true}"#,
            #"{ "amount" : 123456789012345678901234567890 , "ts" : 1.5e300 , "user_id" : "plain" , "extra" : [ "x" , { } ] }"#,
        ]
        docs.append("{" + (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"user_id\":\"many\"}")
        docs.append(#"{"user_id":""# + String(repeating: #"\u00e9x"#, count: 20_000) + #"","amount":1}"#)
        var bytes = docs.map { Array($0.utf8) }
        bytes.append(ConfluentFrame.header(schemaID: 3) + Array(#"{"user_id":"framed","ts":1}"#.utf8))
        return bytes
    }()

    /// Decoders, encoder, layouts and row, and one pass over the workload.
    final class Pipeline {
        let projected = JSONRowDecoder(fields: paths("user_id", "amount", "ts", "page.url", "page"))
        let editLayout = JSONEditLayout(removed: ["drop", "ts"], append: [("ts_copy", 2), ("url", 3)])
        lazy var editing = JSONRowDecoder(fields: paths("user_id", "amount", "ts", "page.url"), captureTopLevel: true,
                                          droppedTopLevelKeys: editLayout.droppedKeys)
        let outputLayout = JSONOutputLayout([("user", 0), ("amount", 1), ("ts", 2), ("url", 3), ("page", 4)])
        let encoder = JSONRowEncoder()
        var row = Row(slotCount: 5)
        var failures = 0
        var outputBytes = 0

        /// Index loops, not for-in: unoptimized builds heap-allocate generic iterators.
        func runOnce() {
            let workload = JSONZeroAllocationTests.workload
            var i = 0
            while i < workload.count {
                defer { i += 1 }
                workload[i].withUnsafeBytes { raw in
                    do throws(DecodeError) { try projected.decode(raw, into: &row) } catch { failures += 1; return }
                    do throws(EncodeError) { outputBytes &+= try encoder.encodeProjected(row: row, layout: outputLayout).count } catch { failures += 1 }
                    do throws(DecodeError) { try editing.decode(raw, into: &row) } catch { failures += 1; return }
                    do throws(EncodeError) {
                        outputBytes &+= try encoder.encodeEdited(original: raw, members: editing.topLevelMembers,
                                                                 layout: editLayout, row: row).count
                    } catch { failures += 1 }
                }
            }
        }
    }

    func testArenaNeverFallsBackToMallocInSteadyState() {
        let p = Pipeline()
        for _ in 0..<3 { p.runOnce() }                          // warm-up: arenas and buffers reach their size
        let before = (p.projected.arenaStats, p.editing.arenaStats)
        XCTAssertGreaterThan(before.0.fallbackAllocations, 0, "the large record needed malloc once, before the arena grew")
        for _ in 0..<(Self.iterations / Self.workload.count) { p.runOnce() }
        XCTAssertEqual(p.failures, 0)
        XCTAssertEqual(p.projected.arenaStats, before.0)
        XCTAssertEqual(p.editing.arenaStats, before.1)
    }

    func testNoMallocPerRecordCountedByPreloadedShim() throws {
        if let count = Self.threadMallocCounter() {
            // Child (or any run under the interposer): count this thread's mallocs.
            let p = Pipeline()
            for _ in 0..<3 { p.runOnce() }
            let before = count()
            var round = 0
            while round < Self.iterations / Self.workload.count { p.runOnce(); round += 1 }
            let mallocs = count() - before
            XCTAssertEqual(p.failures, 0)
            XCTAssertEqual(mallocs, 0, "malloc/calloc/realloc calls in steady state")
            print("steady-state mallocs: \(mallocs) over \(Self.iterations / Self.workload.count * Self.workload.count) records (\(p.outputBytes) output bytes)")
            return
        }
        if MallocCountHarness.isChild {
            return XCTFail("child run without the malloc interposer")
        }
        try MallocCountHarness.rerunUnderInterposer("WeirFormatsTests.JSONZeroAllocationTests/testNoMallocPerRecordCountedByPreloadedShim", marker: "steady-state mallocs:")
    }

    /// The interposer's per-thread counter, when the process runs under it.
    static func threadMallocCounter() -> (() -> UInt)? {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "weir_thread_malloc_count") else { return nil }
        let function = unsafeBitCast(symbol, to: (@convention(c) () -> UInt).self)
        return { function() }
    }

    /// Compiles the interposer with the system C compiler (fails when there is none).
    static func buildShim() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-malloc-count-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let source = dir.appendingPathComponent("malloc_count.c").path
        let library = dir.appendingPathComponent("malloc_count.so").path
        try shimSource.write(toFile: source, atomically: true, encoding: .utf8)
        guard let cc = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"].first(where: FileManager.default.isExecutableFile) else {
            throw NSError(domain: "weir.test", code: 1, userInfo: [NSLocalizedDescriptionKey: "no C compiler to build the malloc interposer (install gcc)"])
        }
        let compile = Process()
        compile.executableURL = URL(fileURLWithPath: cc)
        compile.arguments = ["-O2", "-shared", "-fPIC", "-ftls-model=initial-exec", "-o", library, source]
        try compile.run()
        compile.waitUntilExit()
        guard compile.terminationStatus == 0 else { throw NSError(domain: "weir.test", code: 2, userInfo: [NSLocalizedDescriptionKey: "could not compile the malloc interposer"]) }
        return library
    }

    /// Counts allocation calls per thread, forwarding to glibc's own entry points.
    static let shimSource = """
    #include <stddef.h>
    #include <errno.h>
    extern void *__libc_malloc(size_t);
    extern void *__libc_calloc(size_t, size_t);
    extern void *__libc_realloc(void *, size_t);
    extern void *__libc_memalign(size_t, size_t);
    extern void __libc_free(void *);
    static __thread unsigned long calls;
    void *malloc(size_t n) { calls++; return __libc_malloc(n); }
    void *calloc(size_t n, size_t m) { calls++; return __libc_calloc(n, m); }
    void *realloc(void *p, size_t n) { calls++; return __libc_realloc(p, n); }
    void *memalign(size_t a, size_t n) { calls++; return __libc_memalign(a, n); }
    void *aligned_alloc(size_t a, size_t n) { calls++; return __libc_memalign(a, n); }
    int posix_memalign(void **out, size_t a, size_t n) {
        calls++; void *p = __libc_memalign(a, n); if (!p) return ENOMEM; *out = p; return 0;
    }
    void free(void *p) { __libc_free(p); }
    unsigned long weir_thread_malloc_count(void) { return calls; }
    """
}
