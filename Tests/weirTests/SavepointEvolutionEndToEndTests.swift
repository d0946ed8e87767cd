import Foundation
import XCTest
import WeirEngine
import WeirKafka
import WeirPipelines

/// A windowed job on the embedded broker is stopped, its pipeline edited (a
/// filter before keyBy, a new aggregate `biggest: max(amount)`, another sink
/// topic) and started again — from a savepoint, and from its own checkpoints
/// in `<job>-state`. Windows open across the edit must give: the old
/// aggregates over every record, the new one over the records after the
/// restore only. Incompatible edits stop the job with the field that changed.
final class SavepointEvolutionEndToEndTests: XCTestCase {
    func shop(steps: String = "", window: String = "{tumbling: 1m}", aggregates: String, sink: String) throws -> JobSpec {
        let yaml = """
            name: shop
            source: {kafka: {topic: orders, keyedBy: [user_id]}}   # produced keyed by user_id: no repartition topic
            time:
              eventTime: {field: ts}
              watermark: {maxOutOfOrderness: 10m}
            steps:
            \(steps)  - keyBy: [user_id]
              - window: \(window)
              - aggregate: \(aggregates)
            sink: {kafka: {topic: \(sink)}}
            parallelism: 1
            """
        return try PipelineLoader.load(yaml: yaml, file: "shop.yaml").job
    }

    func original() throws -> JobSpec { try shop(aggregates: "{orders: count(), revenue: sum(amount)}", sink: "totals") }

    func edited(window: String = "{tumbling: 1m}") throws -> JobSpec {
        try shop(steps: "  - filter: \"amount > 0\"\n", window: window,
                 aggregates: "{orders: count(), revenue: sum(amount), biggest: max(amount)}", sink: "totals-v2")
    }

    func runtime(_ bs: String, restart: RestartStrategy = .default) -> RuntimeConfig {
        RuntimeConfig(kafka: KafkaConfig(bootstrapServers: bs), instanceID: "evo", checkpointIntervalMs: 200, restart: restart)
    }

    func produce(_ records: [(user: String, ts: Int, amount: Int)], bootstrap: String) throws {
        try produceAll(records.map { r in (r.user, Array(#"{"user_id":"\#(r.user)","ts":\#(r.ts),"amount":\#(r.amount)}"#.utf8)) },
                       topic: "orders", bootstrap: bootstrap)
    }

    func waitProcessed(_ job: Job, _ n: Int, _ what: String) async throws {
        let deadline = Date().addingTimeInterval(90)
        while job.metrics.processed < n && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertEqual(job.metrics.processed, n, what)
    }

    /// Before the edit: big amounts, all windows still open (10 minutes of out-of-orderness).
    let before = [(user: "u1", ts: 1_000, amount: 100), (user: "u1", ts: 2_000, amount: 300),
                  (user: "u2", ts: 3_000, amount: 200), (user: "u1", ts: 70_000, amount: 50)]
    /// After: small amounts, one the new filter drops, a new key.
    let after = [(user: "u1", ts: 4_000, amount: 5), (user: "u1", ts: 5_000, amount: 7), (user: "u1", ts: 6_000, amount: -1000),
                 (user: "u2", ts: 65_000, amount: 40), (user: "u1", ts: 80_000, amount: 1), (user: "u3", ts: 7_000, amount: 9)]
    /// `biggest` covers the records after the restore: u2's first window has none.
    let expected: Set<String> = [
        #"{"user_id":"u1","window_start":0,"window_end":60000,"orders":4,"revenue":412,"biggest":7}"#,
        #"{"user_id":"u2","window_start":0,"window_end":60000,"orders":1,"revenue":200,"biggest":null}"#,
        #"{"user_id":"u3","window_start":0,"window_end":60000,"orders":1,"revenue":9,"biggest":9}"#,
        #"{"user_id":"u1","window_start":60000,"window_end":120000,"orders":2,"revenue":51,"biggest":1}"#,
        #"{"user_id":"u2","window_start":60000,"window_end":120000,"orders":1,"revenue":40,"biggest":40}"#,
    ]

    func startBroker() throws -> EmbeddedBroker {
        let broker = try EmbeddedBroker(brokers: 1)
        try broker.createTopic("orders", partitions: 2)
        for t in ["totals", "totals-v2"] { try broker.createTopic(t, partitions: 1) }
        return broker
    }

    /// Runs the original pipeline over `before`; with `savepoint`, writes one there
    /// while it runs. Stops without flushing: the windows stay open in the state.
    func runOriginal(_ bs: String, savepoint: URL?) async throws {
        try produce(before, bootstrap: bs)
        let job = Job(spec: try original(), runtime: runtime(bs))
        let runner = Task { try await job.run() }
        try await waitProcessed(job, before.count, "the original job read its records")
        if let savepoint {
            let collector = try job.requestSavepoint(directory: savepoint.path)
            let deadline = Date().addingTimeInterval(30)
            while !collector.isDone && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            XCTAssertTrue(collector.isDone, "the savepoint was written")
        }
        job.stop()
        try await runner.value
        XCTAssertEqual(job.metrics.emitted, 0, "no window fired before the edit")
    }

    /// Runs the edited pipeline over `after` to the end of its input (every window fires).
    func runEdited(_ bs: String, savepoint: Savepoint?) async throws -> [String] {
        let job = Job(spec: try edited(), runtime: runtime(bs), savepoint: savepoint)
        let runner = Task { try await job.run() }
        try produce(after, bootstrap: bs)
        try await waitProcessed(job, after.count, "the edited job read only the records after the restore")
        job.stop(flush: true)
        try await runner.value
        return try readAll(topic: "totals-v2", bootstrap: bs, atLeast: expected.count).map { String(decoding: $0.value, as: UTF8.self) }
    }

    func testAnEditedPipelineContinuesFromASavepoint() async throws {
        let broker = try startBroker()
        defer { broker.close() }
        let bs = broker.bootstrapServers
        let dir = try temporaryDirectory("savepoint-evolution", self)
        try await runOriginal(bs, savepoint: dir)
        let savepoint = try Savepoint.load(directory: dir.path)
        XCTAssertTrue(savepoint.manifest.partitions.contains { !$0.files.isEmpty }, "the savepoint holds window state")

        // An incompatible edit is refused before anything starts, naming the change.
        let resized = Job(spec: try edited(window: "{tumbling: 5m}"), runtime: runtime(bs), savepoint: savepoint)
        do {
            try await resized.run()
            XCTFail("a changed window size must be refused")
        } catch {
            XCTAssertTrue("\(error)".contains("window size was 1m, is now 5m"), "\(error)")
        }

        let rows = try await runEdited(bs, savepoint: savepoint)
        XCTAssertEqual(Set(rows), expected)
        XCTAssertEqual(rows.count, expected.count)
    }

    /// The same edit restarted on the job's own checkpoints (no savepoint):
    /// the restore from `<job>-state` maps the state the same way, and refuses
    /// the same incompatible edits (the task fails; the state stays untouched).
    func testAnEditedPipelineContinuesFromItsCheckpoints() async throws {
        let broker = try startBroker()
        defer { broker.close() }
        let bs = broker.bootstrapServers
        try await runOriginal(bs, savepoint: nil)

        let resized = Job(spec: try edited(window: "{tumbling: 5m}"), runtime: runtime(bs, restart: .none))
        do {
            try await resized.run()
            XCTFail("a changed window size must be refused")
        } catch {
            XCTAssertTrue("\(error)".contains("window size was 1m, is now 5m"), "\(error)")
        }
        XCTAssertEqual(resized.metrics.processed, 0)

        let rows = try await runEdited(bs, savepoint: nil)
        XCTAssertEqual(Set(rows), expected)
        XCTAssertEqual(rows.count, expected.count)
    }
}
