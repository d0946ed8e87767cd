import XCTest
@testable import WeirPipelines
import WeirEngine
import WeirFormats

/// Stage references in the expression language give what the same conditions
/// written as Swift closures over `PatternContext` give (the Swift API), on
/// random sequences: the pipeline path and the API path must emit the same rows.
final class PatternConditionEquivalenceTests: XCTestCase {
    static let yaml = PatternPipelineTests.patternPipeline("""
          stages:
            - {name: a, where: "v > 2 and (count(a) == 0 or v >= last(a.v))", oneOrMore: true}
            - {name: b, where: "v > max(a.v) + 1 and v < sum(a.v) and avg(a.v) > 3 and v != first(a.v) + min(a.v)"}
          within: 6ms
          afterMatch: skipToNext
          measures: {n: count(a), f: first(a.v), l: last(a.v), s: sum(a.v), lo: min(a.v), hi: max(a.v), m: avg(a.v), bv: first(b.v)}
    """)

    /// The same pattern through the Swift API.
    static func swiftPattern() -> Pattern<CEPEvent> {
        func v(_ e: CEPEvent) -> Int64 { if case .int(let i) = e["v"] { return i } else { return 0 } }
        return Pattern<CEPEvent>.begin("a", skip: .skipToNext).where { e, ctx in
            let prev = ctx.events("a")
            return v(e) > 2 && (prev.isEmpty || v(e) >= (prev.last.map(v) ?? 0))
        }.oneOrMore()
        .followedBy("b").where { e, ctx in
            let a = ctx.events("a").map(v)
            guard let hi = a.max(), let lo = a.min(), let first = a.first else { return false }
            let sum = a.reduce(0, +)
            return v(e) > hi + 1 && v(e) < sum && Double(sum) / Double(a.count) > 3 && v(e) != first + lo
        }
        .within(ms: 6)
    }

    func testExpressionConditionsMatchSwiftClosures() throws {
        let p = try XCTUnwrap(load(Self.yaml))
        var seed: UInt64 = 0x9E3779B97F4A7C15
        func next(_ n: UInt64) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % n)
        }
        var total = 0
        for _ in 0..<300 {
            let values = (0..<(4 + next(8))).map { _ in next(15) }
            let driver = try PipelineTestDriver(jobs: p.jobs)
            var api: [String] = []
            let job = try Dataflow.source(fields: ["k", "v", "ts"])
                .assignTimestamps(field: "ts", format: .epochMillis, watermark: WatermarkConfig(maxOutOfOrdernessMs: 0))
                .keyBy("k")
                .pattern(Self.swiftPattern(), measures: [
                    .count("a", as: "n"), .first("a", "v", as: "f"), .last("a", "v", as: "l"), .sum("a", "v", as: "s"),
                    .min("a", "v", as: "lo"), .max("a", "v", as: "hi"), .avg("a", "v", as: "m"), .first("b", "v", as: "bv"),
                ])
                .sink { r in
                    api.append("{" + r.fields.map { f in
                        if case .string(let s) = f.value { return "\"\(f.name)\":\"\(s)\"" }
                        return "\"\(f.name)\":\(f.value)"
                    }.joined(separator: ",") + "}")
                }
            for (i, v) in values.enumerated() {
                try driver.push(json: "{\"k\":\"x\",\"v\":\(v),\"ts\":\(i + 1)}", key: "x")
                try job.push(["k": .string("x"), "v": .int(Int64(v)), "ts": .int(Int64(i + 1))])
            }
            try driver.endOfInput()
            job.finish()
            let yamlRows = driver.takeOutputs().map { String(decoding: $0.value ?? [], as: UTF8.self) }
            XCTAssertEqual(yamlRows.sorted(), api.sorted(), "values \(values)")
            total += api.count
        }
        XCTAssertGreaterThan(total, 150, "the random sequences should give matches (190 with this seed)")
    }
}
