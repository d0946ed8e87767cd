import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import WeirKafka

/// A pattern job's counters as an operator reads them: the real `weir serve`
/// runs a pattern pipeline on the embedded broker, and `/metrics` (parsed by
/// prometheus_client) and the REST job metrics give exactly the matches, timed-out
/// and cap-dropped partial matches, late records and partial matches alive
/// that the events below make.
final class PatternMetricsEndToEndTests: XCTestCase {
    static let pipeline = """
        name: funnels
        source: {kafka: {topic: shop, keyedBy: [user]}}
        time:
          eventTime: {field: ts, format: epochMillis}
          watermark: {maxOutOfOrderness: 2s}
        steps:
          - keyBy: [user]
          - pattern:
              stages:
                - {name: view, where: "event == 'view'"}
                - {name: cart, where: "event == 'cart' and product == last(view.product)"}
                - {name: buy, where: "event == 'buy' and product == last(view.product)"}
              within: 1h
              afterMatch: skipPastLastEvent
              maxPartialMatchesPerKey: 2
              measures: {product: first(view.product)}
        sink: {kafka: {topic: funnel-out}}
        """

    func json(_ url: URL) async throws -> Any? {
        var request = URLRequest(url: url)
        request.timeoutInterval = 10
        let (data, _) = try await URLSession.shared.data(for: request)
        return try? JSONSerialization.jsonObject(with: data)
    }

    func testPatternCountersInPrometheusAndRESTMetrics() async throws {
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        for t in ["shop", "funnel-out", "funnels-state"] { try broker.createTopic(t, partitions: 1) }
        try broker.createTopic("weir-jobs", partitions: 1)
        let bs = broker.bootstrapServers
        let h = 3_600_000
        // One partition: the watermark is max ts − 2 s, in this order.
        let events: [(String, String, String, Int)] = [
            ("ann", "view", "p1", 0),
            ("cat", "view", "p1", 1_000), ("cat", "view", "p2", 2_000),
            ("cat", "view", "p3", 3_000),          // cat's third open funnel: the cap (2) drops the earliest
            ("ann", "cart", "p1", 60_000), ("ann", "buy", "p1", 120_000),   // one match
            ("bob", "view", "p2", 130_000),
            ("dan", "view", "p1", 0),              // behind the watermark (128 s): late
            ("eve", "view", "p9", 4 * h),          // time passes every timeout: cat's two and bob's
            ("fay", "view", "p9", 4 * h + 3_000),  // the watermark passes eve's view: her funnel is open (fay's waits in the buffer)
        ]
        try produceAll(events.map { (u, e, p, ts) in (u, Array(#"{"event":"\#(e)","user":"\#(u)","product":"\#(p)","ts":\#(ts)}"#.utf8)) },
                       topic: "shop", bootstrap: bs)

        let dir = try temporaryDirectory("pattern-metrics", self)
        let pipelines = dir.appendingPathComponent("pipelines")
        try FileManager.default.createDirectory(at: pipelines, withIntermediateDirectories: true)
        try Self.pipeline.write(to: pipelines.appendingPathComponent("funnels.yaml"), atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("weir.yaml")
        try "checkpoint:\n  interval: 300ms\n".write(to: config, atomically: true, encoding: .utf8)
        let serve = Process()
        serve.executableURL = try weirBinary()
        serve.arguments = ["serve", "--config", config.path, "--pipelines", pipelines.path, "--port", "0", "--log-level", "warning"]
        serve.currentDirectoryURL = dir
        serve.environment = ProcessInfo.processInfo.environment.merging(
            ["WEIR_KAFKA_BOOTSTRAP_SERVERS": bs, "WEIR_INSTANCE_ID": "pattern-metrics"]) { $1 }
        let out = Pipe(), err = Pipe()
        serve.standardOutput = out
        serve.standardError = err
        try serve.run()
        defer { if serve.isRunning { serve.interrupt(); serve.waitUntilExit() } }
        let (base, _) = try restAPIURL(printedBy: serve, on: out)

        // The tasks publish per batch (counters) and four times a second (partial matches alive).
        let want: [String: Double] = [
            "weir_pattern_matches_total": 1, "weir_pattern_timed_out_total": 3,
            "weir_pattern_partial_matches_dropped_total": 1, "weir_pattern_late_records_total": 1,
            "weir_pattern_partial_matches": 1,
        ]
        var byJob: [String: Double] = [:]
        var text = Data()
        let deadline = Date().addingTimeInterval(60)
        repeat {
            try await Task.sleep(for: .milliseconds(250))
            var request = URLRequest(url: URL(string: "\(base)/metrics")!)
            request.timeoutInterval = 10
            (text, _) = try await URLSession.shared.data(for: request)
            let file = dir.appendingPathComponent("metrics.txt")
            try text.write(to: file)
            let parsed = try runPython([repoRoot.appendingPathComponent("Tests/weirTests/interop/prometheus_check.py").path, file.path])
            XCTAssertEqual(parsed.status, 0, parsed.err)
            let families = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(parsed.out.utf8)) as? [String: Any])
            byJob = families["byJob"] as? [String: Double] ?? [:]
            if want.allSatisfy({ byJob["\($0.key)|funnels"] == $0.value }) { break }
        } while Date() < deadline
        for (name, value) in want {
            XCTAssertEqual(byJob["\(name)|funnels"], value, "\(name)\n\(String(decoding: text, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("weir_pattern") })")
        }
        XCTAssertEqual(byJob["weir_records_in_total|funnels"], Double(events.count))

        let answer = try await json(URL(string: "\(base)/jobs/funnels/metrics?get=patternMatches,patternTimedOut,patternPartialMatchesDropped,patternLateRecords,patternPartialMatches")!)
        let rest = try XCTUnwrap(answer as? [[String: Any]])
        let values = Dictionary(uniqueKeysWithValues: rest.compactMap { v in (v["id"] as? String).map { ($0, v["value"] as? String ?? "") } })
        XCTAssertEqual(values, ["patternMatches": "1", "patternTimedOut": "3", "patternPartialMatchesDropped": "1",
                                "patternLateRecords": "1", "patternPartialMatches": "1"])
        let match = try readAll(topic: "funnel-out", bootstrap: bs, atLeast: 1)
        XCTAssertEqual(match.map { String(decoding: $0.value, as: UTF8.self) }, [#"{"user":"ann","product":"p1"}"#])
    }
}
