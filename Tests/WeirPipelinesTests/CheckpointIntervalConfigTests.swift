import XCTest
@testable import WeirPipelines

/// `checkpoint.interval` in the service config, `WEIR_CHECKPOINT_INTERVAL`, and
/// their place between `--checkpoint-interval` and the pipeline's value.
final class CheckpointIntervalConfigTests: XCTestCase {
    func config(_ yaml: String, env: [String: String] = [:]) throws -> ServiceConfig {
        try ServiceConfig.load(yaml: yaml, file: "weir.yaml", environment: env, hostname: "h")
    }

    func refused(_ yaml: String, env: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) -> Diagnostic? {
        do {
            _ = try ServiceConfig.load(yaml: yaml, file: "weir.yaml", environment: env, hostname: "h")
            XCTFail("accepted", file: file, line: line)
            return nil
        } catch {
            return error.first
        }
    }

    func testDefaultIsFiveSeconds() throws {
        XCTAssertEqual(try config("").checkpointIntervalMs, 5_000)
        XCTAssertEqual(try config("parallelism: 2\n").checkpointIntervalMs, 5_000)
    }

    func testFileTakesDurations() throws {
        XCTAssertEqual(try config("checkpoint:\n  interval: 200ms\n").checkpointIntervalMs, 200)
        XCTAssertEqual(try config("checkpoint: {interval: 1m30s}\n").checkpointIntervalMs, 90_000)
    }

    func testEnvironmentOverridesFile() throws {
        let env = ["WEIR_CHECKPOINT_INTERVAL": "2s"]
        XCTAssertEqual(try config("checkpoint: {interval: 200ms}\n", env: env).checkpointIntervalMs, 2_000)
        XCTAssertEqual(try config("", env: ["WEIR_CHECKPOINT_INTERVAL": " 750ms "]).checkpointIntervalMs, 750)
    }

    func testBadFileValuesAreRefusedWithTheirPlace() {
        let unit = refused("parallelism: 2\ncheckpoint:\n  interval: 5\n")
        XCTAssertEqual(unit?.description, "weir.yaml:3:13: error: checkpoint.interval: duration '5' needs a unit: ms, s, m, h or d (e.g. 500ms, 2s, 1m, 1h, 1d or 1m30s)")
        let small = refused("checkpoint: {interval: 5ms}\n")
        XCTAssertEqual(small?.field, "checkpoint.interval")
        XCTAssertEqual(small?.message.contains("at least 10 ms"), true, "\(String(describing: small))")
        XCTAssertEqual(refused("checkpoint: {interval: 2h}\n")?.message.contains("at most 3600000 ms"), true)
        XCTAssertEqual(refused("checkpoint: {every: 5s}\n")?.field, "checkpoint.every")
        XCTAssertEqual(refused("checkpoint: {}\n")?.field, "checkpoint.interval")
        XCTAssertEqual(refused("checkpoint: 5s\n")?.field, "checkpoint")
    }

    func testBadEnvironmentValuesAreRefused() {
        let d = refused("", env: ["WEIR_CHECKPOINT_INTERVAL": "fast"])
        XCTAssertEqual(d?.description, "environment: error: WEIR_CHECKPOINT_INTERVAL: expected a duration (e.g. 500ms, 2s, 1m, 1h, 1d or 1m30s), found 'fast'")
        XCTAssertEqual(refused("", env: ["WEIR_CHECKPOINT_INTERVAL": "5000"])?.message.contains("needs a unit"), true)
        XCTAssertEqual(refused("", env: ["WEIR_CHECKPOINT_INTERVAL": "1ms"])?.message.contains("at least 10 ms"), true)
    }

    /// `--checkpoint-interval` > pipeline `checkpoint.interval` > config/env > 5 s.
    func testPrecedence() throws {
        let fromFile = try config("checkpoint: {interval: 3s}\n")
        let fromEnv = try config("checkpoint: {interval: 3s}\n", env: ["WEIR_CHECKPOINT_INTERVAL": "4s"])
        let plain = try config("")
        XCTAssertEqual(CheckpointInterval.resolve(flagMs: 100, pipelineMs: 200, service: fromEnv), 100)
        XCTAssertEqual(CheckpointInterval.resolve(flagMs: nil, pipelineMs: 200, service: fromEnv), 200)
        XCTAssertEqual(CheckpointInterval.resolve(flagMs: nil, pipelineMs: nil, service: fromEnv), 4_000)
        XCTAssertEqual(CheckpointInterval.resolve(flagMs: nil, pipelineMs: nil, service: fromFile), 3_000)
        XCTAssertEqual(CheckpointInterval.resolve(flagMs: nil, pipelineMs: nil, service: plain), 5_000)
        XCTAssertEqual(CheckpointInterval.resolve(flagMs: 100, pipelineMs: nil, service: plain), 100)
    }

    /// The pipeline's own value, as the loader reads it, beats the config's.
    func testPipelineValueBeatsTheConfig() throws {
        let p = try PipelineLoader.load(yaml: "name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}}\ncheckpoint: {interval: 250ms}\n",
                                        file: "p.yaml")
        let service = try config("checkpoint: {interval: 3s}\n", env: ["WEIR_CHECKPOINT_INTERVAL": "4s"])
        XCTAssertEqual(CheckpointInterval.resolve(flagMs: nil, pipelineMs: p.definition.checkpointIntervalMs, service: service), 250)
    }
}
