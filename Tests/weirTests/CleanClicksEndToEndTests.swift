import Foundation
import XCTest
import WeirEngine
import WeirKafka
import WeirPipelines

/// 10,000 generated click events through pipelines/clean-clicks.yaml on the
/// embedded broker; the expected output is computed here, independently of the
/// expression engine, and compared record by record.
final class CleanClicksEndToEndTests: XCTestCase {
    struct Event {
        var id: Int, user: String, event: String, host: String?, durationMs: Int, cents: Int, amountIsString: Bool, malformed: Bool
        var json: String {
            if malformed { return "{\"id\":\(id),\"event\":\"click\",\"user_id\":\"\(user)\",\"amount\":" }
            let page = host.map { ",\"page\":{\"url\":\"https://x/\(id)\",\"host\":\"\($0)\"}" } ?? ""
            let amount = amountIsString ? "\"\(cents / 100).\(String(format: "%02d", cents % 100))\"" : "\(cents / 100).\(String(format: "%02d", cents % 100))"
            return "{\"id\":\(id),\"event\":\"\(event)\",\"user_id\":\"\(user)\"\(page),\"duration_ms\":\(durationMs),\"amount\":\(amount),\"debug\":{\"n\":[1,2,{\"x\":null}]}}"
        }
    }

    func makeEvents(_ n: Int) -> [Event] {
        var rng = SystemRandomNumberGenerator()
        let hosts = ["Shop.Example", "shop.example", "BLOG.Example", "ÄPFEL.example"]
        return (0..<n).map { i in
            Event(id: i, user: "u\(Int.random(in: 0..<500, using: &rng))",
                  event: ["click", "click", "click", "view", "scroll"].randomElement(using: &rng) ?? "click",
                  host: Int.random(in: 0..<20, using: &rng) == 0 ? nil : hosts.randomElement(using: &rng),
                  durationMs: Int.random(in: 0..<20, using: &rng) == 0 ? -5 : Int.random(in: 0..<60_000, using: &rng),
                  cents: Int.random(in: 1...99_999, using: &rng),
                  amountIsString: Int.random(in: 0..<100, using: &rng) == 0,
                  malformed: Int.random(in: 0..<100, using: &rng) == 0)
        }
    }

    func testTenThousandEventsThroughCleanClicks() async throws {
        let pipeline = try PipelineLoader.load(path: repoRoot.appendingPathComponent("pipelines/clean-clicks.yaml").path)
        let job = pipeline.job
        XCTAssertEqual(job.source.topics, ["input-topic"])
        XCTAssertEqual(job.sink.topic, "output-topic")
        let dlq = try XCTUnwrap(job.deadLetterTopic)

        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        for t in job.topics { try broker.createTopic(t, partitions: 4) }

        let events = makeEvents(10_000)
        try produceAll(events.map { ($0.user, Array($0.json.utf8)) }, topic: "input-topic", bootstrap: broker.bootstrapServers)

        // Independent expectation.
        var expected: [Int: [String: Any]] = [:]
        var expectedDead = Set<Int>()
        for e in events {
            if e.malformed { expectedDead.insert(e.id); continue }
            guard e.event == "click" && e.durationMs >= 0 else { continue }
            if e.amountIsString { expectedDead.insert(e.id); continue }   // string * number is a type error
            var o: [String: Any] = ["id": e.id, "event": e.event, "user": e.user, "duration_ms": e.durationMs,
                                    "amount": Double(e.cents) / 100,
                                    "amount_cents": Double(e.cents), "seconds": Double(e.durationMs) / 1000.0]
            o["host"] = e.host.map { $0.lowercased() } ?? NSNull()
            expected[e.id] = o
        }

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
        XCTAssertEqual(m.deadLettered, expectedDead.count)
        XCTAssertEqual(m.emitted, expected.count)

        let out = try readAll(topic: "output-topic", bootstrap: broker.bootstrapServers, atLeast: expected.count)
        XCTAssertEqual(out.count, expected.count, "exactly the expected records, no duplicates")
        var seen = Set<Int>()
        for r in out {
            let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.value)) as? [String: Any], "output is a JSON object")
            let id = try XCTUnwrap(obj["id"] as? Int)
            XCTAssertTrue(seen.insert(id).inserted, "record \(id) emitted twice")
            guard let want = expected[id] else { XCTFail("unexpected record \(id)"); continue }
            XCTAssertEqual(Set(obj.keys), Set(want.keys), "fields of \(id)")
            XCTAssertEqual(r.key, want["user"] as? String, "key of \(id) is the user")
            for (k, v) in want {
                XCTAssertTrue(equalJSON(obj[k], v), "field \(k) of \(id): got \(String(describing: obj[k])), want \(v)")
            }
            XCTAssertNil(obj["debug"]); XCTAssertNil(obj["page"]); XCTAssertNil(obj["user_id"])
        }

        let dead = try readAll(topic: dlq, bootstrap: broker.bootstrapServers, atLeast: expectedDead.count)
        XCTAssertEqual(dead.count, expectedDead.count)
        for r in dead {
            XCTAssertEqual(r.headers["weir.pipeline"], "clean-clicks")
            XCTAssertEqual(r.headers["weir.source.topic"], "input-topic")
            XCTAssertNotNil(r.headers["weir.source.offset"].flatMap(Int64.init))
            XCTAssertFalse((r.headers["weir.error.message"] ?? "").isEmpty)
            let cls = r.headers["weir.error.class"]
            XCTAssertTrue(cls == "decode" || cls == "expression", "class \(cls ?? "nil")")
            // the original bytes are kept: find the id in them
            let text = String(decoding: r.value, as: UTF8.self)
            let idText = text.split(separator: ",").first?.split(separator: ":").last.map(String.init) ?? ""
            XCTAssertTrue(expectedDead.contains(Int(idText) ?? -1), "dead letter \(text)")
        }
    }

    private func equalJSON(_ a: Any?, _ b: Any) -> Bool {
        switch (a, b) {
        case (is NSNull, is NSNull): return true
        case (let x as NSNumber, let y as Int): return x.doubleValue == Double(y)
        case (let x as NSNumber, let y as Double): return x.doubleValue == y
        case (let x as String, let y as String): return x == y
        default: return false
        }
    }
}
