import Foundation
import XCTest
import WeirEngine
import WeirKafka
import WeirPipelines

/// Kafka → Parquet lake on the embedded broker, through the real task loop:
/// clicks partitioned by day and hour, many checkpoints (each a rename of
/// pending files after its transaction), then a second run that restores
/// from the markers and goes on. DuckDB and pyarrow read the visible files
/// back (tests/parquet/lake_readback.py): every expected row exactly once,
/// nothing staged left behind, no part file from a bad record.
final class FilesSinkEndToEndTests: XCTestCase {
    private func clicks(from first: Int, count: Int) -> [(key: String, value: [UInt8], expected: [String: Any]?)] {
        var out: [(String, [UInt8], [String: Any]?)] = []
        for i in first..<(first + count) {
            let user = "u\(i % 37)"
            if i % 250 == 7 {   // not JSON: dead-lettered
                out.append((user, Array("{\"user_id\":\"\(user)\",".utf8), nil))
                continue
            }
            let event = ["click", "view", "scroll"][i % 3]
            let duration = i % 20 == 0 ? -1 : (i * 37) % 30_000
            let amount = Double((i * 7919) % 10_000) / 100
            let ts = Int64(1_796_000_000_000) + Int64(i) * 2_000   // 2 s apart: several hours
            let json = "{\"event\":\"\(event)\",\"user_id\":\"\(user)\",\"page\":{\"host\":\"Shop.Example\"},\"duration_ms\":\(duration),\"amount\":\(amount),\"ts\":\(ts)}"
            let expected: [String: Any]? = duration < 0 ? nil
                : ["event": event, "user_id": user, "host": "shop.example", "duration_ms": duration, "amount": amount, "ts": ts]
            out.append((user, Array(json.utf8), expected))
        }
        return out
    }

    /// Runs the job while `records` are produced in chunks, each 400 ms after
    /// the last was processed (so that checkpoints fall between them).
    private func run(_ job: JobSpec, bootstrap: String, feeding records: [(key: String, value: [UInt8], expected: [String: Any]?)],
                     instance: String) async throws -> Job {
        let processed = records.count
        let running = Job(spec: job, runtime: RuntimeConfig(kafka: KafkaConfig(bootstrapServers: bootstrap),
                                                           instanceID: instance, checkpointIntervalMs: 300))
        let runner = Task { try await running.run() }
        var chunk = 0
        while chunk < records.count {
            let part = records[chunk..<min(records.count, chunk + 1_000)]
            try produceAll(part.map { ($0.key, $0.value) }, topic: "clicks-in", bootstrap: bootstrap)
            chunk += 1_000
            let wait = Date().addingTimeInterval(60)
            while running.metrics.processed < chunk && Date() < wait { try await Task.sleep(for: .milliseconds(20)) }
            try await Task.sleep(for: .milliseconds(400))
        }
        let deadline = Date().addingTimeInterval(90)
        while running.metrics.processed < processed && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        running.stop()
        try await runner.value
        return running
    }

    func testKafkaToPartitionedParquetExactlyOnceAcrossARestart() async throws {
        let dir = try temporaryDirectory("files-sink", self)
        let lake = dir.appendingPathComponent("lake").path
        let pipeline = dir.appendingPathComponent("to-lake.yaml")
        try """
        name: to-lake
        source:
          kafka: {topic: clicks-in, startFrom: earliest}
          format: json
        steps:
          - filter: "duration_ms >= 0"
          - select: {event: event, user_id: user_id, host: "lower(page.host)", duration_ms: duration_ms, amount: amount, ts: ts}
        sink:
          files:
            path: \(lake)/
            format: parquet
            partitionBy: [{dt: "date(ts)"}, {hour: "hour(ts)"}]
            rowGroupSize: 64KB
            compression: snappy
            columns: {event: string, user_id: string, host: string, duration_ms: int32, amount: double, ts: timestamp-millis}
        deadLetter: {topic: clicks-dlq}
        parallelism: 2
        """.write(to: pipeline, atomically: true, encoding: .utf8)
        let job = try PipelineLoader.load(path: pipeline.path).job
        guard case .files = job.sink.kind else { return XCTFail("expected a files sink") }

        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        try broker.createTopic("clicks-in", partitions: 4)
        try broker.createTopic("clicks-dlq", partitions: 4)
        let first = clicks(from: 0, count: 6_000), second = clicks(from: 6_000, count: 3_000)
        let one = try await run(job, bootstrap: broker.bootstrapServers, feeding: first, instance: "e2e")
        XCTAssertEqual(one.metrics.processed, first.count)
        XCTAssertGreaterThan(one.metrics.commits, 2, "several checkpoints, each renaming its files")

        // A second run restores every partition from its marker (completing renames, cleaning up) and goes on.
        let two = try await run(job, bootstrap: broker.bootstrapServers, feeding: second, instance: "e2e")
        XCTAssertEqual(two.metrics.processed, second.count, "the restart reads only what the markers did not cover")

        let all = first + second
        let expected = all.compactMap(\.expected)
        XCTAssertEqual(one.metrics.deadLettered + two.metrics.deadLettered, all.filter { $0.expected == nil && $0.value.last != UInt8(ascii: "}") }.count)
        let dead = try readAll(topic: "clicks-dlq", bootstrap: broker.bootstrapServers, atLeast: 36)
        XCTAssertEqual(dead.count, 36, "the records that are not JSON, in the transactions")

        let expectFile = dir.appendingPathComponent("expected.jsonl")
        let lines = try expected.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        try (lines.joined(separator: "\n") + "\n").write(to: expectFile, atomically: true, encoding: .utf8)
        let staged = (try? FileManager.default.contentsOfDirectory(atPath: lake + "/.weir-staging/to-lake")) ?? []
        XCTAssertEqual(staged, [], "a clean stop leaves nothing staged")
        let r = try runPython([repoRoot.appendingPathComponent("tests/parquet/lake_readback.py").path, lake, expectFile.path])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("\(expected.count) rows (expected \(expected.count))"), r.out)
    }

    /// A keyed event-time window pipeline writing JSON lines: window rows fire
    /// per input partition (each into that partition's files), the rest at a
    /// stop with flush; every (user, minute) count comes out exactly once.
    func testWindowResultsToJSONLines() async throws {
        let dir = try temporaryDirectory("files-sink-windows", self)
        let lake = dir.appendingPathComponent("lake").path
        let pipeline = dir.appendingPathComponent("windows.yaml")
        try """
        name: windows-to-lake
        source:
          kafka: {topic: win-in, startFrom: earliest, keyedBy: [user_id]}
          format: json
        time:
          eventTime: {field: ts, format: epochMillis}
          watermark: {maxOutOfOrderness: 1s, idleTimeout: 2s}
        steps:
          - keyBy: [user_id]
          - window: {tumbling: 1m}
          - aggregate: {clicks: count()}
        sink:
          files: {path: \(lake), format: json, partitionBy: [{dt: "date(window_start)"}]}
        parallelism: 2
        """.write(to: pipeline, atomically: true, encoding: .utf8)
        let job = try PipelineLoader.load(path: pipeline.path).job

        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        try broker.createTopic("win-in", partitions: 4)
        var expected: [String: Int] = [:]
        var records: [(String, [UInt8])] = []
        for i in 0..<4_000 {
            let user = "u\(i % 23)"
            let ts = Int64(1_796_000_000_000) + Int64(i) * 150   // 10 minutes
            records.append((user, Array("{\"user_id\":\"\(user)\",\"ts\":\(ts)}".utf8)))
            expected["\(user)@\(ts - ts % 60_000)", default: 0] += 1
        }
        try produceAll(records, topic: "win-in", bootstrap: broker.bootstrapServers)
        let running = Job(spec: job, runtime: RuntimeConfig(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers),
                                                           instanceID: "w", checkpointIntervalMs: 300))
        let runner = Task { try await running.run() }
        let deadline = Date().addingTimeInterval(60)
        while running.metrics.processed < records.count && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(800))   // a checkpoint with window rows fired by the watermark
        running.stop(flush: true)
        try await runner.value

        var got: [String: Int] = [:]
        var rows = 0
        let files = FileManager.default.enumerator(atPath: lake)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".jsonl") && !$0.hasPrefix(".") } ?? []
        XCTAssertGreaterThan(files.count, 1)
        for f in files {
            XCTAssertTrue(f.hasPrefix("dt=2026-11-30/part-windows-to-lake-w-"), f)
            for line in try String(contentsOfFile: lake + "/" + f, encoding: .utf8).split(separator: "\n") {
                let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let k = "\(o["user_id"] as? String ?? "?")@\((o["window_start"] as? NSNumber)?.int64Value ?? -1)"
                got[k, default: 0] += (o["clicks"] as? NSNumber)?.intValue ?? 0
                rows += 1
            }
        }
        XCTAssertEqual(rows, expected.count, "one row per (user, minute): none twice")
        XCTAssertEqual(got, expected)
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: lake + "/.weir-staging/windows-to-lake")) ?? [], [])
    }
}
