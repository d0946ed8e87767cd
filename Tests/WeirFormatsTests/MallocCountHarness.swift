import Foundation
import XCTest

/// Runs one test again in a child process of this test binary with the malloc
/// interposer preloaded (`JSONZeroAllocationTests.buildShim`); the child counts
/// its own mallocs and prints `marker` followed by the count. Shared by the
/// JSON and Avro zero-allocation tests.
enum MallocCountHarness {
    static let childVariable = "WEIR_MALLOC_COUNT_CHILD"

    /// True inside such a child (which must then have the interposer).
    static var isChild: Bool { ProcessInfo.processInfo.environment[childVariable] != nil }

    static func rerunUnderInterposer(_ test: String, marker: String,
                                     file: StaticString = #filePath, line: UInt = #line) throws {
        let shim = try JSONZeroAllocationTests.buildShim()
        defer { try? FileManager.default.removeItem(atPath: (shim as NSString).deletingLastPathComponent) }
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: exe)
        child.arguments = [test]
        var env = ProcessInfo.processInfo.environment
        env["LD_PRELOAD"] = shim
        env[childVariable] = "1"
        child.environment = env
        let pipe = Pipe()
        child.standardOutput = pipe
        child.standardError = pipe
        try child.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationStatus, 0, output, file: file, line: line)
        XCTAssertTrue(output.contains("\(marker) 0 "), output, file: file, line: line)
        if let l = output.split(separator: "\n").first(where: { $0.hasPrefix(marker) }) { print(l) }
    }
}
