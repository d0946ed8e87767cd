import Foundation
import XCTest
import WeirKafka

/// The repository root, found from this file's path.
let repoRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
    }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
}()

/// The `weir` binary built with the tests.
func weirBinary() throws -> URL {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("weir"),
        Bundle.main.bundleURL.appendingPathComponent("weir"),
        repoRoot.appendingPathComponent(".build/debug/weir"),
    ]
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw NSError(domain: "weir", code: 1, userInfo: [NSLocalizedDescriptionKey: "weir binary not found: build it first (scripts/test.sh does)"])
    }
    return found
}

/// Runs the real `weir` binary from the repository root, as a user would.
/// Output is collected through files, so a large output cannot fill a pipe and stall the child.
func runWeir(_ args: [String], timeout: TimeInterval = 120, stdin: URL? = nil,
             environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
    try runProcess(weirBinary(), args, timeout: timeout, stdin: stdin, environment: environment)
}

/// Runs a program (e.g. `python3` through /usr/bin/env) and collects its output.
func runProcess(_ executable: URL, _ args: [String], timeout: TimeInterval = 120, stdin: URL? = nil,
                environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    let p = Process()
    p.executableURL = executable
    p.arguments = args
    p.currentDirectoryURL = repoRoot
    if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    p.standardOutput = out; p.standardError = err
    if let stdin { p.standardInput = try FileHandle(forReadingFrom: stdin) }
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    if p.isRunning { p.terminate(); XCTFail("\(executable.lastPathComponent) \(args) timed out") }
    p.waitUntilExit()
    try out.close(); try err.close()
    return (p.terminationStatus,
            String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// `python3 args…` through /usr/bin/env.
func runPython(_ args: [String], timeout: TimeInterval = 300) throws -> (status: Int32, out: String, err: String) {
    try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + args, timeout: timeout)
}

/// A fresh temporary directory, removed at the end of the test.
func temporaryDirectory(_ name: String, _ test: XCTestCase) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}

struct ReadRecord {
    var key: String?
    var value: [UInt8]
    var headers: [String: String]
    var partition: Int32
    var offset: Int64
}

/// Reads `topic` from the start with a read_committed consumer until `count`
/// records arrived and nothing more comes for `settleMs`, or `timeoutMs` passed.
func readAll(topic: String, bootstrap: String, atLeast count: Int, timeoutMs: Int = 30_000, settleMs: Int = 1_500) throws -> [ReadRecord] {
    var config = KafkaConfig(bootstrapServers: bootstrap)
    config.groupID = "test-reader-\(UUID().uuidString)"
    config.isolationLevel = .readCommitted
    config.autoOffsetReset = .earliest
    config.sessionTimeoutMs = 6000
    let consumer = try KafkaConsumer(config: config) { _ in }
    defer { consumer.close() }
    try consumer.subscribe([topic])
    var out: [ReadRecord] = []
    let start = Date()
    var lastNew = Date()
    while Date().timeIntervalSince(start) * 1000 < Double(timeoutMs) {
        let n = consumer.poll(maxMessages: 1000, timeoutMs: 100) { m in
            var headers: [String: String] = [:]
            for h in m.headers() { headers[h.name] = h.value.map { String(decoding: $0, as: UTF8.self) } ?? "" }
            out.append(ReadRecord(key: m.key.map { String(decoding: $0, as: UTF8.self) },
                                  value: m.value.map { Array($0) } ?? [], headers: headers,
                                  partition: m.partition, offset: m.offset))
        }
        if n > 0 { lastNew = Date() }
        if out.count >= count && Date().timeIntervalSince(lastNew) * 1000 >= Double(settleMs) { break }
    }
    return out
}

/// Produces (key, value) pairs with a plain producer and waits for delivery.
func produceAll(_ records: [(String, [UInt8])], topic: String, bootstrap: String) throws {
    let producer = try KafkaProducer(config: KafkaConfig(bootstrapServers: bootstrap))
    let handle = try producer.topic(topic)
    for (k, v) in records {
        var key = k
        try key.withUTF8 { kb in
            try v.withUnsafeBytes { vb in try producer.produce(handle, key: UnsafeRawBufferPointer(kb), value: vb) }
        }
    }
    try producer.flush(timeoutMs: 30_000)
    if producer.deliveryStats.failed > 0 { throw KafkaError.local("delivery failed: \(producer.deliveryStats.failed)") }
}

/// The URL from `weir serve`'s (or `weir dev`'s) "REST API at http://…" line, and what it printed up to it.
func restAPIURL(printedBy process: Process, on out: Pipe) throws -> (url: String, printed: String) {
    var text = ""
    let deadline = Date().addingTimeInterval(30)
    let pattern = #"REST API at https?://[0-9.]+:[0-9]+"#
    while text.range(of: pattern, options: .regularExpression) == nil && Date() < deadline && process.isRunning {
        text += String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
    }
    let line = try XCTUnwrap(text.range(of: pattern, options: .regularExpression).map { String(text[$0]) }, "no URL in \(text)")
    return (String(line.dropFirst("REST API at ".count)), text)
}
