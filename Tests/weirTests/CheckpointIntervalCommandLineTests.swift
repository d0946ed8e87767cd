import Foundation
import XCTest

/// `weir run` picks the checkpoint interval from the flag, the pipeline, then
/// the service config and environment, and checks it against
/// `transaction.timeout.ms` before anything starts. Each case is refused at
/// that check, whose message names the interval chosen (no Kafka needed).
final class CheckpointIntervalCommandLineTests: XCTestCase {
    /// `weir run` with extra environment variables; Kafka points nowhere.
    func run(_ args: [String], env: [String]) throws -> (status: Int32, out: String, err: String) {
        try runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                       ["-u", "WEIR_CHECKPOINT_INTERVAL", "-u", "WEIR_KAFKA_PROPERTY_TRANSACTION_TIMEOUT_MS",
                        "WEIR_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:1"] + env + [try weirBinary().path, "run"] + args + ["--log-level", "critical"],
                       timeout: 60)
    }

    func assertRefused(_ r: (status: Int32, out: String, err: String), timeoutMs: Int, intervalMs: Int,
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 2, r.err, file: file, line: line)
        XCTAssertTrue(r.err.contains("transaction.timeout.ms (\(timeoutMs)) must be at least 3× the checkpoint interval (\(intervalMs) ms)"),
                      r.err, file: file, line: line)
    }

    func testEnvironmentIntervalIsChecked() throws {
        assertRefused(try run(["pipelines/clean-clicks.yaml"], env: ["WEIR_CHECKPOINT_INTERVAL=30s"]), timeoutMs: 60_000, intervalMs: 30_000)
    }

    /// The timeout checked is the one librdkafka gets from kafka.properties.
    func testTransactionTimeoutPropertyIsWhatIsChecked() throws {
        assertRefused(try run(["pipelines/clean-clicks.yaml"],
                              env: ["WEIR_CHECKPOINT_INTERVAL=1m", "WEIR_KAFKA_PROPERTY_TRANSACTION_TIMEOUT_MS=120000"]),
                      timeoutMs: 120_000, intervalMs: 60_000)
    }

    func testFlagBeatsEnvironment() throws {
        assertRefused(try run(["pipelines/clean-clicks.yaml", "--checkpoint-interval", "40000"], env: ["WEIR_CHECKPOINT_INTERVAL=1s"]),
                      timeoutMs: 60_000, intervalMs: 40_000)
    }

    func testPipelineBeatsEnvironmentAndConfigFile() throws {
        let dir = try temporaryDirectory("interval", self)
        let pipeline = dir.appendingPathComponent("p.yaml")
        let config = dir.appendingPathComponent("weir.yaml")
        let text = try String(contentsOf: repoRoot.appendingPathComponent("pipelines/clean-clicks.yaml"), encoding: .utf8)
        try (text + "checkpoint: {interval: 25s}\n").write(to: pipeline, atomically: true, encoding: .utf8)
        try "checkpoint: {interval: 35s}\n".write(to: config, atomically: true, encoding: .utf8)
        assertRefused(try run([pipeline.path, "--config", config.path], env: ["WEIR_CHECKPOINT_INTERVAL=1s"]), timeoutMs: 60_000, intervalMs: 25_000)
        try "checkpoint: {interval: 45s}\n".write(to: config, atomically: true, encoding: .utf8)
        assertRefused(try run(["pipelines/clean-clicks.yaml", "--config", config.path], env: []), timeoutMs: 60_000, intervalMs: 45_000)
    }
}
