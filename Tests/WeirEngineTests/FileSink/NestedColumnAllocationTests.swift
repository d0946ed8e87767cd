import Foundation
import Glibc
import XCTest
import WeirFormats
@testable import WeirEngine

/// The per-record path of nested columns allocates nothing per record: after
/// warm-up, 60,000 rows with maps, lists of records and lists of lists (parse
/// into the JSONTape, check, stripe) call malloc only when the open page's
/// buffers double (a handful of calls), never per row. Counted for real by a per-thread malloc interposer
/// (LD_PRELOAD) in a child run of this test binary, as WeirFormatsTests'
/// JSONZeroAllocationTests does for the decoders.
final class NestedColumnAllocationTests: XCTestCase {
    static let marker = "nested steady-state mallocs:"
    static let docs = [
        #"{"m":{"a":[1,null,-3],"\u00fc":[]},"l":[{"s":"x \"q\"","n":[[1],[],[null,2]]},{"s":"","n":[]}]}"#,
        #"{"m":{},"l":[]}"#,
        #"{"m":null,"l":[{"s":"long \#(String(repeating: "é", count: 300))","n":[[5,6,7,8,9,10]]}]}"#,
    ]

    private static func spec(_ dir: String) -> FilesSinkSpec {
        let record = NestedShape.record([.init("s", .value(.string), nullable: false),
                                         .init("n", .list(.list(.value(.int64), elementNullable: true), elementNullable: false), nullable: false)])
        return FilesSinkSpec(path: dir, format: .parquet, columns: [
            .init("id", .int64, nullable: false),
            .init("m", .nested, nullable: true, shape: .map(.list(.value(.int64), elementNullable: true), valueNullable: false)),
            .init("l", .nested, nullable: false, shape: .list(record, elementNullable: false)),
        ])
    }

    func testNestedRowsDoNotAllocateInSteadyState() throws {
        // WEIR_NESTED_PROFILE=1: run the workload without counting (for heaptrack, to see who allocates).
        let profile: (() -> UInt)? = ProcessInfo.processInfo.environment["WEIR_NESTED_PROFILE"] != nil ? { 0 } : nil
        guard let count = Self.threadMallocCounter() ?? profile else {
            if ProcessInfo.processInfo.environment["WEIR_NESTED_MALLOC_CHILD"] != nil { return XCTFail("child run without the interposer") }
            return try rerunUnderInterposer()
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-nested-alloc-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var spec = Self.spec(dir)
        // No page is cut in this run: a page's encoding allocates in unoptimized builds (generic
        // RLE code; per page, not per row) and would hide what this test is about.
        spec.pageBytes = 1 << 30
        let writer = try ParquetPartWriter(path: dir + "/part.parquet", spec: spec, schema: spec.parquetSchema())
        // One row per document, built once: id, then the JSON texts as `.json` cells.
        var rows: [Row] = []
        for (i, doc) in Self.docs.enumerated() {
            let value = try JSONValue.parse(doc)
            var row = Row(slotCount: 3)
            row.cells[0] = .int(Int64(i))
            for (slot, key) in [(1, "m"), (2, "l")] {
                let text = value[key].map { $0.text } ?? "null"
                let span = row.store(Array(text.utf8))
                row.cells[slot] = text == "null" ? .null : .json(span)
            }
            rows.append(row)
        }
        let raw = UnsafeRawBufferPointer(start: nil, count: 0)
        func pass() throws {
            var i = 0
            while i < rows.count { try writer.append(&rows[i], raw: raw); i += 1 }
        }
        // Warm-up: the tape, the scratch rows and the dictionaries reach their size; the page
        // buffers grow geometrically, so they reallocate a few times per doubling of the rows, never per row.
        var round = 0
        while round < 20_000 { try pass(); round += 1 }
        let before = count()
        round = 0
        while round < 20_000 { try pass(); round += 1 }
        let mallocs = count() - before
        print("\(Self.marker) \(mallocs) over \(20_000 * rows.count) rows")
        // A per-row allocation would be ≥ 60,000; the open page's buffers (levels and values
        // of 7 leaves) may double once or twice while the rows double.
        if profile == nil { XCTAssertLessThanOrEqual(mallocs, 32) }
        try writer.finish()
    }

    private static func threadMallocCounter() -> (() -> UInt)? {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "weir_thread_malloc_count") else { return nil }
        let function = unsafeBitCast(symbol, to: (@convention(c) () -> UInt).self)
        return { function() }
    }

    /// Builds the interposer, runs this test again under it, requires its count to be 0.
    private func rerunUnderInterposer() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-nested-shim-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("count.c").path, library = dir.appendingPathComponent("count.so").path
        try Self.shim.write(toFile: source, atomically: true, encoding: .utf8)
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        cc.arguments = ["-O2", "-shared", "-fPIC", "-ftls-model=initial-exec", "-o", library, source]
        try cc.run()
        cc.waitUntilExit()
        XCTAssertEqual(cc.terminationStatus, 0, "compiling the malloc interposer")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        child.arguments = ["WeirEngineTests.NestedColumnAllocationTests/testNestedRowsDoNotAllocateInSteadyState"]
        var env = ProcessInfo.processInfo.environment
        env["LD_PRELOAD"] = library
        env["WEIR_NESTED_MALLOC_CHILD"] = "1"
        child.environment = env
        let pipe = Pipe()
        child.standardOutput = pipe
        child.standardError = pipe
        try child.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationStatus, 0, output)
        XCTAssertTrue(output.contains(Self.marker), output)
        if let l = output.split(separator: "\n").first(where: { $0.hasPrefix(Self.marker) }) { print(l) }
    }

    /// Counts allocation calls per thread, forwarding to glibc's own entry points.
    static let shim = """
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
