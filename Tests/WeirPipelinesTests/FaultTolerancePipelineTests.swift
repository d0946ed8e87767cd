import XCTest
import WeirEngine
@testable import WeirPipelines

/// `checkpoint:` and `restart:` in pipeline files.
final class FaultTolerancePipelineTests: XCTestCase {
    let head = "name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}}\n"

    func load(_ extra: String) throws -> PipelineDefinition {
        try PipelineLoader.load(yaml: head + extra, file: "p.yaml").definition
    }

    func refused(_ extra: String, line: Int, column: Int, field: String, _ phrase: String,
                 file: StaticString = #filePath, lineNo: UInt = #line) {
        do {
            _ = try PipelineLoader.load(yaml: head + extra, file: "p.yaml")
            XCTFail("accepted", file: file, line: lineNo)
        } catch {
            guard let d = error.first else { return XCTFail("no diagnostic", file: file, line: lineNo) }
            XCTAssertEqual(d.line, line, "\(d)", file: file, line: lineNo)
            XCTAssertEqual(d.column, column, "\(d)", file: file, line: lineNo)
            XCTAssertEqual(d.field, field, "\(d)", file: file, line: lineNo)
            XCTAssertTrue(d.message.contains(phrase), "\(d)", file: file, line: lineNo)
        }
    }

    func testDefaultsWhenAbsent() throws {
        let d = try load("")
        XCTAssertNil(d.checkpointIntervalMs)
        XCTAssertNil(d.restart)
    }

    func testCheckpointAndRestartKinds() throws {
        XCTAssertEqual(try load("checkpoint: {interval: 200ms}\n").checkpointIntervalMs, 200)
        XCTAssertEqual(try load("restart: {fixedDelay: {attempts: 3, delay: 10s}}\n").restart, .fixedDelay(attempts: 3, delayMs: 10_000))
        XCTAssertEqual(try load("restart: none\n").restart, RestartStrategy.none)
        XCTAssertEqual(try load("restart: {exponentialDelay: {initial: 1s, max: 1m, multiplier: 1.5, attempts: 4}}\n").restart,
                       .exponentialDelay(initialMs: 1_000, maxMs: 60_000, multiplier: 1.5, attempts: 4, resetAfterMs: 3_600_000))
    }

    func testBrokenSettingsAreRefusedWithTheirPlace() {
        refused("checkpoint: {interval: 5}\n", line: 4, column: 24, field: "checkpoint.interval", "needs a unit")
        refused("checkpoint: {every: 5s}\n", line: 4, column: 14, field: "checkpoint.every", "unknown key 'every'")
        refused("restart: {fixedDelay: {attempts: three}}\n", line: 4, column: 34, field: "restart.fixedDelay.attempts", "expected an integer")
        refused("restart: {fixedDelay: {delay: 1s}}\n", line: 4, column: 23, field: "restart.fixedDelay.attempts", "missing required key 'attempts'")
        refused("restart: {sometimes: {}}\n", line: 4, column: 11, field: "restart.sometimes", "unknown key 'sometimes'")
        refused("restart: {exponentialDelay: {initial: 2m, max: 1m}}\n", line: 4, column: 29, field: "restart.exponentialDelay.initial", "above max")
    }
}
