import Foundation
import XCTest
import WeirEngine
import WeirKafka
import WeirPipelines

/// keyBy on a field that is not the message key, on the embedded broker: the
/// input topic has 4 partitions and every user's clicks are spread over all
/// of them (round robin, no message key). Through the repartition topic, the
/// windows per (user, window) are exact; without it (a false `keyedBy`), each
/// task keeps a key's state per source partition and the results are split.
final class RepartitionEndToEndTests: XCTestCase {
    static let users = 12, windows = 3, perUserAndWindow = 10, windowMs = 10_000

    struct Click { var user: String; var ts: Int; var amount: Int; var partition: Int32 }

    /// Every (user, window) gets `perUserAndWindow` clicks; a user's consecutive
    /// clicks go to consecutive partitions, so each user is on all four.
    static let clicks: [Click] = {
        var out: [Click] = []
        for w in 0..<windows {
            for i in 0..<perUserAndWindow {
                for u in 0..<users {
                    out.append(Click(user: "u\(u)", ts: w * windowMs + i * 900 + u, amount: u * 100 + w * 10 + i,
                                     partition: Int32((u + i + w) % 4)))
                }
            }
        }
        return out
    }()

    /// (user, window_start) -> (count, sum), computed from the clicks alone;
    /// `base` is added to every time (the Kafka timestamps are `base + ts`).
    static func expected(base: Int = 0) -> [String: [Int]] {
        var e: [String: [Int]] = [:]
        for c in clicks {
            let k = "\(c.user)@\(base + c.ts - c.ts % windowMs)"
            e[k, default: [0, 0]][0] += 1
            e[k, default: [0, 0]][1] += c.amount
        }
        return e
    }

    /// `maxOutOfOrderness: 1h`: every window fires at the end (the flush); this
    /// test is about which records meet, not when (`testWatermarksCrossTheShuffle` is about when).
    func yaml(name: String, time: String, keyedBy: Bool, outOfOrderness: String = "1h") -> String {
        """
        name: \(name)
        source: {kafka: {topic: \(name)-in\(keyedBy ? ", keyedBy: [user_id]" : "")}}
        time:
          eventTime: \(time)
          watermark: {maxOutOfOrderness: \(outOfOrderness)}
        steps:
          - filter: "amount >= 0"
          - keyBy: [user_id]
          - window: {tumbling: 10s}
          - aggregate: {clicks: count(), amount: sum(amount)}
        sink: {kafka: {topic: \(name)-out}}
        deadLetter: {topic: \(name)-dlq}
        lateData: {topic: \(name)-late}
        parallelism: 2
        """
    }

    /// Writes the clicks over the 4 partitions, no message key, each with
    /// `timestampBase + ts` as its Kafka timestamp (librdkafka reads 0 as "now").
    func produceClicks(topic: String, bootstrap: String, timestampBase: Int64) throws {
        let producer = try KafkaProducer(config: KafkaConfig(bootstrapServers: bootstrap))
        let handle = try producer.topic(topic)
        for c in Self.clicks {
            var value = #"{"user_id":"\#(c.user)","ts":\#(c.ts),"amount":\#(c.amount)}"#
            try value.withUTF8 {
                try producer.produce(handle, partition: c.partition, key: nil, value: UnsafeRawBufferPointer($0),
                                     timestampMs: timestampBase + Int64(c.ts))
            }
        }
        try producer.flush(timeoutMs: 30_000)
        XCTAssertEqual(producer.deliveryStats.failed, 0)
    }

    /// Runs every job of the pipeline until its input has been processed, in
    /// order (as `weir dev` does), and returns the jobs.
    /// `beforeStop`: called with each job once it has read its input, before it is stopped.
    func run(_ p: Pipeline, bootstrap: String, instance: String, input: Int = clicks.count,
             beforeStop: (Int, Job) async throws -> Void = { _, _ in }) async throws -> [Job] {
        let runtime = RuntimeConfig(kafka: KafkaConfig(bootstrapServers: bootstrap), instanceID: instance, checkpointIntervalMs: 300)
        let jobs = p.jobs.map { Job(spec: $0, runtime: runtime) }
        let runners = jobs.map { job in Task { try await job.run() } }
        var expected = input
        for (i, job) in jobs.enumerated() {
            let deadline = Date().addingTimeInterval(90)
            while job.metrics.processed < expected && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            XCTAssertEqual(job.metrics.processed, expected, "\(job.spec.name) read everything it was given")
            try await beforeStop(i, job)
            job.stop(flush: true)
            try await runners[i].value
            expected = job.metrics.emitted
        }
        return jobs
    }

    /// The committed output as (user, window_start) -> every [clicks, amount] row.
    func results(topic: String, bootstrap: String, atLeast: Int) throws -> [String: [[Int]]] {
        var rows: [String: [[Int]]] = [:]
        for r in try readAll(topic: topic, bootstrap: bootstrap, atLeast: atLeast) {
            let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.value)) as? [String: Any])
            let k = "\(o["user_id"] ?? "?")@\(o["window_start"] ?? "?")"
            rows[k, default: []].append([(o["clicks"] as? Int) ?? -1, (o["amount"] as? Int) ?? -1])
        }
        return rows
    }

    /// `windowBase`: what the windows' times are offset by (the Kafka timestamp base, or 0 for the field).
    func checkExact(_ name: String, time: String, timestampBase: Int64, windowBase: Int) async throws {
        let expected = Self.expected(base: windowBase)
        let p = try PipelineLoader.load(yaml: yaml(name: name, time: time, keyedBy: false), file: "\(name).yaml")
        let stage = try XCTUnwrap(p.repartition, "an unkeyed source repartitions")
        XCTAssertEqual(stage.topic, "\(name)-window-repartition")
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        for t in Set(p.jobs.flatMap(\.topics)) { try broker.createTopic(t, partitions: 4) }
        let bs = broker.bootstrapServers
        try produceClicks(topic: "\(name)-in", bootstrap: bs, timestampBase: timestampBase)

        let jobs = try await run(p, bootstrap: bs, instance: name)
        XCTAssertEqual(jobs[0].metrics.emitted, Self.clicks.count, "every click went through the repartition topic")
        XCTAssertEqual(jobs.map { $0.metrics.deadLettered }, [0, 0])
        XCTAssertEqual(jobs[1].metrics.late, 0)

        // Each user is on exactly one partition of the repartition topic, with its source timestamp.
        let read = try readAll(topic: stage.topic, bootstrap: bs, atLeast: Self.clicks.count)
        // Besides the records: the first stage's watermark announcements (empty value, a header).
        let shuffled = read.filter { !$0.value.isEmpty }
        XCTAssertEqual(shuffled.count, Self.clicks.count)
        XCTAssertTrue(read.filter(\.value.isEmpty).allSatisfy { $0.headers[WatermarkAnnouncement.header] != nil })
        XCTAssertEqual(Set(read.filter(\.value.isEmpty).map(\.partition)).count, 4, "announced to every repartition partition")
        var partitionsOf: [String: Set<Int32>] = [:]
        for r in shuffled {
            let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.value)) as? [String: Any])
            partitionsOf["\(o["user_id"] ?? "?")", default: []].insert(r.partition)
        }
        XCTAssertEqual(partitionsOf.count, Self.users)
        XCTAssertTrue(partitionsOf.values.allSatisfy { $0.count == 1 }, "\(partitionsOf)")
        XCTAssertGreaterThan(Set(partitionsOf.values.compactMap(\.first)).count, 1, "the users are spread over several partitions")

        // One row per (user, window), with the exact count and sum.
        let rows = try results(topic: "\(name)-out", bootstrap: bs, atLeast: expected.count)
        XCTAssertEqual(rows.count, expected.count)
        for (k, want) in expected {
            XCTAssertEqual(rows[k], [want], "\(k)")
        }
    }

    func testRepartitionedWindowsAreExactWithEventTimeFromAField() async throws {
        try await checkExact("rp-field", time: "{field: ts}", timestampBase: 1_700_000_000_000, windowBase: 0)
    }

    /// Event time from the Kafka timestamp: the repartition topic must carry
    /// each record's source timestamp (the producer would stamp it with now).
    func testRepartitionedWindowsAreExactWithTheKafkaTimestamp() async throws {
        try await checkExact("rp-kts", time: "{kafkaTimestamp: true}", timestampBase: 1_700_000_000_000, windowBase: 1_700_000_000_000)
    }

    /// The same input and pipeline, but the source claims to be keyed by
    /// user_id: no repartition topic, state per source partition, and every
    /// user's windows come out split into several partial rows.
    func testWithoutRepartitioningTheResultsAreSplit() async throws {
        let name = "rp-split"
        let p = try PipelineLoader.load(yaml: yaml(name: name, time: "{field: ts}", keyedBy: true), file: "\(name).yaml")
        XCTAssertNil(p.repartition)
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        for t in Set(p.jobs.flatMap(\.topics)) { try broker.createTopic(t, partitions: 4) }
        let bs = broker.bootstrapServers
        try produceClicks(topic: "\(name)-in", bootstrap: bs, timestampBase: 1_700_000_000_000)
        _ = try await run(p, bootstrap: bs, instance: name)
        let expected = Self.expected()
        let rows = try results(topic: "\(name)-out", bootstrap: bs, atLeast: expected.count)
        XCTAssertEqual(rows.count, expected.count, "the same (user, window)s")
        XCTAssertTrue(rows.values.allSatisfy { $0.count == 4 }, "one partial row per source partition: \(rows.values.map(\.count))")
        XCTAssertNotEqual(rows.mapValues { $0.first ?? [] }, expected)
        XCTAssertEqual(rows.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1[0] } }, Self.clicks.count, "all clicks, but split")
    }

    /// Event time crosses the shuffle as watermarks. Each source partition is
    /// in order, but partition p's times start p × 20 s later, so a repartition
    /// partition interleaves records up to a minute apart. Judged by the
    /// records' own times (maxOutOfOrderness 2 s) most of the early ones would
    /// be late; with the first stage's announced watermarks (the minimum over
    /// source partitions) none is, the results are exact, and the windows
    /// every source partition has passed fire before the input ends.
    func testWatermarksCrossTheShuffle() async throws {
        let name = "rp-wm"
        struct Event { var user: Int; var ts: Int; var partition: Int32 }
        var events: [Event] = []
        for p in 0..<4 {
            for i in 0..<60 { events.append(Event(user: (i + p) % Self.users, ts: p * 20_000 + i * 500, partition: Int32(p))) }
        }
        var expected: [String: Int] = [:]
        for e in events { expected["u\(e.user)@\(e.ts - e.ts % Self.windowMs)", default: 0] += 1 }
        let p = try PipelineLoader.load(yaml: yaml(name: name, time: "{field: ts}", keyedBy: false, outOfOrderness: "2s"), file: "\(name).yaml")
        XCTAssertNotNil(p.repartition)
        XCTAssertNotNil(p.repartition?.job.watermarkAnnouncements)
        XCTAssertEqual(p.job.stateful?.watermarksFromUpstream, true)
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        for t in Set(p.jobs.flatMap(\.topics)) { try broker.createTopic(t, partitions: 4) }
        let bs = broker.bootstrapServers
        let producer = try KafkaProducer(config: KafkaConfig(bootstrapServers: bs))
        let handle = try producer.topic("\(name)-in")
        for e in events {
            var value = #"{"user_id":"u\#(e.user)","ts":\#(e.ts),"amount":1}"#
            try value.withUTF8 { try producer.produce(handle, partition: e.partition, key: nil, value: UnsafeRawBufferPointer($0)) }
        }
        try producer.flush(timeoutMs: 30_000)
        producer.close()

        // Source partition 0 ends at 29.5 s: its watermark (27.5 s) is the minimum,
        // so the windows [0, 10 s) and [10 s, 20 s) fire before the flush.
        let early = expected.keys.filter { ($0.split(separator: "@").last.flatMap { Int($0) } ?? .max) + Self.windowMs <= 27_500 }.count
        XCTAssertGreaterThan(early, 0)
        let jobs = try await run(p, bootstrap: bs, instance: name, input: events.count) { i, job in
            guard i == 1 else { return }
            let deadline = Date().addingTimeInterval(30)
            while job.metrics.emitted < early && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            XCTAssertEqual(job.metrics.emitted, early, "the windows every source partition has passed fired on the announced watermark")
        }
        XCTAssertEqual(jobs[1].metrics.late, 0, "no record is late: each source partition is in order")
        let rows = try results(topic: "\(name)-out", bootstrap: bs, atLeast: expected.count)
        XCTAssertEqual(rows.count, expected.count)
        for (k, n) in expected { XCTAssertEqual(rows[k]?.map { $0[0] }, [n], "\(k)") }
    }
}
