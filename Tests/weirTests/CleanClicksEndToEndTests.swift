import Foundation
import XCTest
import WeirEngine
import WeirKafka
import WeirPipelines

/// 10,000 generated click events through pipelines/clean-clicks.yaml on the
/// embedded broker; the expected output is computed independently of the
/// expression engine (`CleanClicksExpectation`) and compared record by record.
final class CleanClicksEndToEndTests: XCTestCase {
    func testTenThousandEventsThroughCleanClicks() async throws {
        let pipeline = try PipelineLoader.load(path: repoRoot.appendingPathComponent("pipelines/clean-clicks.yaml").path)
        let job = pipeline.job
        XCTAssertEqual(job.source.topics, ["input-topic"])
        XCTAssertEqual(job.sink.topic, "output-topic")
        let dlq = try XCTUnwrap(job.deadLetterTopic)

        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        for t in job.topics { try broker.createTopic(t, partitions: 4) }

        let events = ClickEvent.generate(10_000)
        try produceAll(events.map(\.record), topic: "input-topic", bootstrap: broker.bootstrapServers)
        let expected = CleanClicksExpectation(events)

        let running = Job(spec: job, runtime: RuntimeConfig(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers),
                                                           instanceID: "e2e", checkpointIntervalMs: 200))
        let runner = Task { try await running.run() }
        let deadline = Date().addingTimeInterval(60)
        while running.metrics.processed < events.count && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        running.stop()
        try await runner.value
        let m = running.metrics
        XCTAssertEqual(m.processed, events.count, "every event handled once")
        XCTAssertEqual(m.deadLettered, expected.deadLetters.count)
        XCTAssertEqual(m.emitted, expected.output.count)

        let out = try readAll(topic: "output-topic", bootstrap: broker.bootstrapServers, atLeast: expected.output.count)
        XCTAssertEqual(out.count, expected.output.count, "exactly the expected records, no duplicates")
        expected.checkOutput(out, allowDuplicates: false)
        for r in out {
            let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.value)) as? [String: Any], "output is a JSON object")
            XCTAssertNil(obj["debug"]); XCTAssertNil(obj["page"]); XCTAssertNil(obj["user_id"])
        }

        let dead = try readAll(topic: dlq, bootstrap: broker.bootstrapServers, atLeast: expected.deadLetters.count)
        XCTAssertEqual(dead.count, expected.deadLetters.count)
        expected.checkDeadLetters(dead, pipeline: "clean-clicks", sourceTopic: "input-topic", allowDuplicates: false)
    }
}
