import Foundation
import XCTest
import WeirEngine
import WeirPipelines
@testable import WeirTesting

/// Windows per user, one minute, 2 s out of order, late data: like
/// pipelines/clicks-per-user.yaml (`keyedBy` decides whether keyBy repartitions).
func windowsPipeline(keyedBy: Bool = true, lateness: String = "0", extra: String = "") -> String {
    """
    name: w
    source:
      kafka: {topic: in\(keyedBy ? ", keyedBy: [user_id]" : "")}
    time:
      eventTime: {field: ts, format: epochMillis}
      watermark: {maxOutOfOrderness: 2s, idleTimeout: 30s}
    steps:
      - filter: "event == 'click'"
      - keyBy: [user_id]
      - window: {tumbling: 1m, allowedLateness: \(lateness)}
      - aggregate: {clicks: count(), amount: sum(amount)}
    sink:
      kafka: {topic: out}
    deadLetter: {topic: dlq}
    lateData: {topic: late}
    \(extra)
    """
}

/// A directory with files in it, removed after the test.
func directory(_ files: [String: String], _ test: XCTestCase) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-testing-\(getpid())-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    for (name, text) in files {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    return dir
}

/// A click as pipelines' tests write it.
func click(_ user: String, _ ts: Int64, _ amount: Double = 1) -> String {
    "{\"event\":\"click\",\"user_id\":\"\(user)\",\"ts\":\(ts),\"amount\":\(amount)}"
}

extension TestRecord {
    /// The value parsed, for assertions.
    var json: TestValue? { value.flatMap { JSONText.parse($0) } }
}

/// The repository root, found from this file's path.
let repoRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
    }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
}()
