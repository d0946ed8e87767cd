import XCTest
@testable import WeirPipelines
import WeirEngine
import WeirFormats

/// `pattern` steps loaded through the real loader and run through the
/// `PipelineTestDriver` (the `weir test` path): conditions in the expression
/// language, stage references, quantifiers, skip strategies, measures, timeouts.
final class PatternPipelineTests: XCTestCase {
    /// Kafka in/out, event time from `ts`, keyed by `k`; `steps:` on line 5, the pattern step on line 7.
    static func patternPipeline(_ pattern: String, time: String = "time: {eventTime: {field: ts}}") -> String {
        "name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}}\n\(time)\nsteps:\n  - keyBy: [k]\n  - pattern:\n" + pattern
    }

    /// Runs records (JSON objects, key `k` added) through the loaded pipeline to the end of input; the output values.
    func run(_ yaml: String, _ records: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        guard let p = load(yaml, file: file, line: line) else { return [] }
        let driver = try PipelineTestDriver(jobs: p.jobs)
        for r in records { try driver.push(json: "{\"k\":\"x\"," + r.dropFirst(), key: "x") }
        try driver.endOfInput()
        return driver.takeOutputs().map { String(decoding: $0.value ?? [], as: UTF8.self) }
    }

    /// Prices at ts 1, 2, 3, … as records `{"price": p, "ts": i}`.
    func prices(_ ps: [Int]) -> [String] {
        ps.enumerated().map { "{\"price\":\($0.element),\"ts\":\($0.offset + 1)}" }
    }

    func testIterativeConditionReadsTheLastEventOfAnEarlierStage() throws {
        let yaml = Self.patternPipeline("""
              stages:
                - {name: big, where: "price > 10"}
                - {name: bigger, where: "price > last(big.price)"}
              measures: {b: first(big.price), g: first(bigger.price)}
        """)
        let out = try run(yaml, prices([20, 15, 25, 30]))
        XCTAssertEqual(out.sorted(), [#"{"k":"x","b":15,"g":25}"#, #"{"k":"x","b":20,"g":25}"#, #"{"k":"x","b":25,"g":30}"#])
    }

    /// MATCH_RECOGNIZE's documented vector: PATTERN (A+ C) DEFINE A AS SUM(A.price) < 30.
    func testSumOfTheStageSoFarWithEachSkipStrategy() throws {
        func yaml(_ skip: String) -> String {
            Self.patternPipeline("""
                  stages:
                    - {name: a, where: "sum(a.price) + price < 30", oneOrMore: true, consecutive: true, greedy: true}
                    - {name: c, contiguity: next}
                  afterMatch: \(skip)
                  measures: {total: sum(a.price), from: match_start(), to: match_end()}
            """)
        }
        let input = prices([7, 9, 10, 5, 10, 7, 14])
        XCTAssertEqual(try run(yaml("skipPastLastEvent"), input),
                       [#"{"k":"x","total":26,"from":1,"to":4}"#, #"{"k":"x","total":17,"from":5,"to":7}"#])
        XCTAssertEqual(try run(yaml("skipToNext"), input).count, 5)
        XCTAssertEqual(try run(yaml("{skipToLast: a}"), input),
                       [#"{"k":"x","total":26,"from":1,"to":4}"#, #"{"k":"x","total":25,"from":3,"to":6}"#,
                        #"{"k":"x","total":17,"from":5,"to":7}"#])
    }

    func testCountOfAnEarlierStageInACondition() throws {
        let yaml = Self.patternPipeline("""
              stages:
                - {name: fail, where: "kind == 'fail'", timesOrMore: 2, consecutive: true}
                - {name: ok, contiguity: next, where: "kind == 'ok' and count(fail) >= 3"}
              afterMatch: skipPastLastEvent
              measures: {n: count(fail), avg_gap: avg(fail.ts), lo: min(fail.ts), hi: max(fail.ts)}
        """)
        let kinds = ["fail", "fail", "ok", "fail", "fail", "fail", "ok"]
        let input = kinds.enumerated().map { "{\"kind\":\"\($0.element)\",\"ts\":\($0.offset + 1)}" }
        XCTAssertEqual(try run(yaml, input), [#"{"k":"x","n":3,"avg_gap":5.0,"lo":4,"hi":6}"#])
    }

    /// Flink's documented `a b` over `a c b1 b2` under each contiguity.
    func testContiguities() throws {
        func yaml(_ contiguity: String) -> String {
            Self.patternPipeline("""
                  stages:
                    - {name: a, where: "e == 'a'"}
                    - {name: b, contiguity: \(contiguity), where: "e == 'b'"}
                  measures: {b_at: first(b.ts)}
            """)
        }
        let input = ["a", "c", "b", "b"].enumerated().map { "{\"e\":\"\($0.element)\",\"ts\":\($0.offset + 1)}" }
        XCTAssertEqual(try run(yaml("next"), input), [])
        XCTAssertEqual(try run(yaml("followedBy"), input), [#"{"k":"x","b_at":3}"#])
        XCTAssertEqual(try run(yaml("followedByAny"), input), [#"{"k":"x","b_at":3}"#, #"{"k":"x","b_at":4}"#])
    }

    func testTimesRangeOptionalAndUntil() throws {
        // a, then 2 to 3 consecutive b, then c
        let times = Self.patternPipeline("""
              stages:
                - {name: a, where: "e == 'a'"}
                - {name: b, contiguity: next, where: "e == 'b'", times: [2, 3], consecutive: true}
                - {name: c, contiguity: next, where: "e == 'c'"}
              measures: {bs: count(b)}
        """)
        func events(_ s: String) -> [String] {
            s.split(separator: " ").enumerated().map { "{\"e\":\"\($0.element)\",\"ts\":\($0.offset + 1)}" }
        }
        XCTAssertEqual(try run(times, events("a b c")), [])
        XCTAssertEqual(try run(times, events("a b b c")), [#"{"k":"x","bs":2}"#])
        XCTAssertEqual(try run(times, events("a b b b b c")), [])
        // an optional middle stage
        let optional = Self.patternPipeline("""
              stages:
                - {name: a, where: "e == 'a'"}
                - {name: b, contiguity: next, where: "e == 'b'", optional: true}
                - {name: c, contiguity: next, where: "e == 'c'"}
              measures: {bs: count(b), b_at: first(b.ts)}
        """)
        XCTAssertEqual(try run(optional, events("a c")), [#"{"k":"x","bs":0,"b_at":null}"#])
        // Flink's `a+ until b` over a1 c a2 b a3
        let until = Self.patternPipeline("""
              stages:
                - {name: a, where: "e == 'a'", oneOrMore: true, until: "e == 'b'"}
              measures: {from: match_start(), to: match_end(), n: count(a)}
        """)
        XCTAssertEqual(try run(until, events("a c a b a")).sorted(),
                       [#"{"k":"x","from":1,"to":1,"n":1}"#, #"{"k":"x","from":1,"to":3,"n":2}"#,
                        #"{"k":"x","from":3,"to":3,"n":1}"#, #"{"k":"x","from":5,"to":5,"n":1}"#])
    }

    /// Absence: an order with no payment within 15 ms, flagged rows for timed-out partial matches.
    func testNotFollowedByAtTheEndAndTimedOutRows() throws {
        let absence = Self.patternPipeline("""
              stages:
                - {name: order, where: "e == 'order'"}
                - {name: payment, contiguity: notFollowedBy, where: "e == 'pay'"}
              within: 15ms
              measures: {order_at: first(order.ts)}
        """)
        XCTAssertEqual(try run(absence, [#"{"e":"order","ts":0}"#, #"{"e":"pay","ts":14}"#]), [])
        XCTAssertEqual(try run(absence, [#"{"e":"order","ts":0}"#, #"{"e":"pay","ts":15}"#]), [#"{"k":"x","order_at":0}"#])
        let timedOut = Self.patternPipeline("""
              stages:
                - {name: order, where: "e == 'order'"}
                - {name: payment, where: "e == 'pay'"}
              within: 15ms
              measures: {order_at: first(order.ts), paid_at: first(payment.ts)}
              timedOut: {field: timed_out}
        """)
        XCTAssertEqual(try run(timedOut, [#"{"e":"order","ts":0}"#, #"{"e":"order","ts":20}"#, #"{"e":"pay","ts":25}"#]),
                       [#"{"k":"x","order_at":0,"paid_at":null,"timed_out":true}"#,
                        #"{"k":"x","order_at":20,"paid_at":25,"timed_out":false}"#])
    }

    func testProcessingTimeWithoutTimeAndComputedFields() throws {
        let yaml = "name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}}\nsteps:\n"
            + "  - map: {cents: \"price * 100\"}\n  - keyBy: [k]\n  - pattern:\n"
            + "      stages:\n        - {name: a, where: \"cents > 500\"}\n        - {name: b, contiguity: next, where: \"cents > last(a.cents)\"}\n"
            + "      measures: {first_cents: first(a.cents), then: last(b.cents)}\n"
        XCTAssertEqual(try run(yaml, [#"{"price":6}"#, #"{"price":7}"#, #"{"price":1}"#]),
                       [#"{"k":"x","first_cents":600,"then":700}"#])
    }

    /// Avro results: the schema derived from the reader schema and the measures.
    func testAvroResultSchemaFromMeasures() throws {
        let p = try XCTUnwrap(load("""
            name: logins-avro
            source: {kafka: {topic: in}, format: avro, schema: '\(Self.login)'}
            time: {eventTime: {field: ts, format: epochMillis}}
            steps:
              - keyBy: [user]
              - pattern:
                  stages:
                    - {name: fail, where: "not ok", times: 2}
                    - {name: success, contiguity: next, where: "ok"}
                  within: 1m
                  measures: {n: count(fail), ip: first(fail.ip), from: match_start(), tries: sum(fail.tries), mean: avg(fail.tries)}
                  timedOut: {field: timed_out}
            sink: {kafka: {topic: out}, format: avro}
            """))
        let stage = try XCTUnwrap(p.job.stateful)
        let s = try ResultSchema.derive(job: p.job, operator: try stage.makeOperator())
        XCTAssertEqual(s.fields.map(\.name), ["user", "n", "ip", "from", "tries", "mean", "timed_out"])
        let t = Dictionary(uniqueKeysWithValues: s.fields.map { ($0.name, $0.type) })
        XCTAssertEqual(t["user"], .cells(.string))
        XCTAssertEqual(t["n"], .cells(.int))
        XCTAssertEqual(t["ip"], .cells([.null, .string]))
        XCTAssertEqual(t["from"], .timestampMillis)
        XCTAssertEqual(t["tries"], .cells(.number))
        XCTAssertEqual(t["mean"], .cells([.null, .double]))
        XCTAssertEqual(t["timed_out"], .cells(.bool))
    }

    static let login = #"{"type":"record","name":"Login","fields":[{"name":"user","type":"string"},{"name":"ok","type":"boolean"},{"name":"ip","type":"string"},{"name":"tries","type":"long"},{"name":"ts","type":"long"}]}"#

    /// Without `keyedBy` the source is repartitioned by the key first; matches are the same.
    func testRepartitionedPatternPipeline() throws {
        let yaml = Self.patternPipeline("""
              stages:
                - {name: a, where: "e == 'a'"}
                - {name: b, contiguity: next, where: "e == 'b'"}
              measures: {a_at: first(a.ts), b_at: first(b.ts)}
        """)
        let p = try XCTUnwrap(load(yaml))
        XCTAssertEqual(p.repartition?.topic, "t-pattern-repartition", "a Kafka source without keyedBy is repartitioned by the key")
        let events = ["a", "b", "a", "c", "b"].enumerated().map { "{\"e\":\"\($0.element)\",\"ts\":\($0.offset + 1)}" }
        XCTAssertEqual(try run(yaml, events), [#"{"k":"x","a_at":1,"b_at":2}"#])
    }

    /// docs/cep.md's example ("In pipeline files"): the shipped pipeline, the exact row.
    func testTheShippedFraudDetectionPipelineGivesTheDocumentedRow() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("pipelines/fraud-detection.yaml").path
        let p = try PipelineLoader.load(path: path)
        XCTAssertNil(p.repartition)
        let driver = try PipelineTestDriver(jobs: p.jobs)
        for (ok, ip, ts) in [(false, "10.0.0.1", 0), (false, "10.0.0.2", 10000), (false, "10.0.0.3", 20000), (true, "10.9.9.9", 30000)] {
            try driver.push(json: #"{"event":"login","user":"ann","ok":\#(ok),"ip":"\#(ip)","ts":\#(ts)}"#, key: "ann")
        }
        XCTAssertEqual(driver.takeOutputs().count, 0, "the success waits for the watermark")
        try driver.advanceWatermark(to: 30000)
        let out = driver.takeOutputs()
        XCTAssertEqual(out.map { String(decoding: $0.value ?? [], as: UTF8.self) },
                       [#"{"user":"ann","failures":3,"first_ip":"10.0.0.1","success_ip":"10.9.9.9","first_failure":0,"success_at":30000}"#])
        XCTAssertEqual(out.first.map { String(decoding: $0.key ?? [], as: UTF8.self) }, "ann")
    }

    /// `timedOut: {topic: …}`: partial matches that `within` times out go to their own topic, with what they had taken.
    func testTimedOutPartialMatchesGoToTheirTopic() throws {
        let yaml = Self.patternPipeline("""
              stages:
                - {name: view, where: "e == 'view'"}
                - {name: cart, where: "e == 'cart'"}
                - {name: buy, where: "e == 'buy'"}
              within: 100ms
              afterMatch: skipPastLastEvent
              measures: {viewed: first(view.ts), carted: first(cart.ts), bought: first(buy.ts)}
              timedOut: {topic: abandoned}
        """)
        let p = try XCTUnwrap(load(yaml))
        XCTAssertEqual(p.job.stateful?.timedOut, .topic("abandoned"))
        XCTAssertTrue(p.jobs.last?.topics.contains("abandoned") ?? false)
        let driver = try PipelineTestDriver(jobs: p.jobs)
        for (e, ts) in [("view", 0), ("cart", 10), ("buy", 20), ("view", 200), ("cart", 210), ("view", 400)] {
            try driver.push(json: "{\"k\":\"x\",\"e\":\"\(e)\",\"ts\":\(ts)}", key: "x")
        }
        try driver.endOfInput()
        XCTAssertEqual(driver.takeOutputs().map { String(decoding: $0.value ?? [], as: UTF8.self) },
                       [#"{"k":"x","viewed":0,"carted":10,"bought":20}"#])
        let timedOut = driver.takeTimedOut()
        XCTAssertEqual(timedOut.map { String(decoding: $0.value ?? [], as: UTF8.self) },
                       [#"{"k":"x","viewed":200,"carted":210,"bought":null}"#, #"{"k":"x","viewed":400,"carted":null,"bought":null}"#])
        XCTAssertEqual(timedOut.first?.topic, "abandoned")
        XCTAssertEqual(timedOut.first.map { String(decoding: $0.key ?? [], as: UTF8.self) }, "x")
    }

    /// A file job writes timed-out partial matches to `timedOut: {file: …}` as JSON lines.
    func testFileJobWritesTimedOutMatchesToTheirFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-cep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let events = ["view@0", "cart@10", "buy@20", "view@200", "cart@210"].map { s -> String in
            let parts = s.split(separator: "@")
            return "{\"k\":\"x\",\"e\":\"\(parts[0])\",\"ts\":\(parts[1])}"
        }
        try (events.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("in.jsonl"), atomically: true, encoding: .utf8)
        let yaml = """
            name: t
            source: {file: {path: \(dir.path)/in.jsonl}}
            sink: {file: {path: \(dir.path)/out.jsonl}}
            time: {eventTime: {field: ts}}
            steps:
              - keyBy: [k]
              - pattern:
                  stages:
                    - {name: view, where: "e == 'view'"}
                    - {name: cart, where: "e == 'cart'"}
                    - {name: buy, where: "e == 'buy'"}
                  within: 100ms
                  measures: {viewed: first(view.ts), bought: first(buy.ts)}
                  timedOut: {file: \(dir.path)/abandoned.jsonl}
            """
        let p = try XCTUnwrap(load(yaml))
        _ = try FileJob(spec: p.job).runBlocking()
        let out = try String(contentsOf: dir.appendingPathComponent("out.jsonl"), encoding: .utf8)
        let abandoned = try String(contentsOf: dir.appendingPathComponent("abandoned.jsonl"), encoding: .utf8)
        XCTAssertEqual(out, #"{"k":"x","viewed":0,"bought":20}"# + "\n")
        XCTAssertEqual(abandoned, #"{"k":"x","viewed":200,"bought":null}"# + "\n")
    }

    /// Avro results through the driver: matches and timed-out partial matches encoded with the derived schema.
    func testAvroRowsOfMatchesAndTimedOutPartialMatches() throws {
        let yaml = """
            name: t
            source: {kafka: {topic: in}}
            sink: {kafka: {topic: out}, format: avro}
            time: {eventTime: {field: ts}}
            steps:
              - keyBy: [k]
              - pattern:
                  stages:
                    - {name: a, where: "e == 'a'"}
                    - {name: b, where: "e == 'b'"}
                  within: 10ms
                  measures: {n: count(a), a_at: match_start(), b_at: first(b.ts)}
                  timedOut: {topic: partial}
            """
        let p = try XCTUnwrap(load(yaml))
        let driver = try PipelineTestDriver(jobs: p.jobs)
        for (e, ts) in [("a", 0), ("b", 5), ("a", 20)] {
            try driver.push(json: "{\"k\":\"x\",\"e\":\"\(e)\",\"ts\":\(ts)}", key: "x")
        }
        try driver.endOfInput()
        XCTAssertEqual(driver.takeOutputs().map { driver.avroJSON($0.value ?? []) }, [#"{"k":"x","n":1,"a_at":0,"b_at":5}"#])
        XCTAssertEqual(driver.takeTimedOut().map { driver.avroJSON($0.value ?? []) }, [#"{"k":"x","n":1,"a_at":20,"b_at":null}"#])
    }
}
