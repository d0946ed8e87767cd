import XCTest
@testable import WeirEngine

/// A three-stage pattern with `within` over many keys: state stays bounded
/// (timeouts release partial matches and shared events) and the work per
/// record stays flat as the stream grows (nothing quadratic per key).
final class CEPLoadTests: XCTestCase {
    private func run(records: Int, keys: Int) throws -> (seconds: Double, matches: Int64, peakPartial: Int, op: CEPOperator) {
        let kind: (CEPEvent) -> String = { if case .string(let s) = $0[1] { return s } else { return "" } }
        let p = Pattern<CEPEvent>.begin("view").where { kind($0) == "view" }
            .followedBy("cart").where { kind($0) == "cart" }
            .followedBy("buy").where { kind($0) == "buy" }
            .within(ms: 60_000)
        let o = try CEPOperator(CEPOperatorConfig(keyFields: [.init(name: "user", slot: 0)], pattern: p,
                                                  measures: [.matchStart(as: "from"), .matchEnd(as: "to")],
                                                  inputSlotCount: 2))
        var out = Collector(o)
        var rng: UInt64 = 42
        let kinds = ["view", "view", "cart", "buy", "other"]
        let users = (0..<keys).map { "u\($0)" }
        var peak = 0
        let start = Date()
        for i in 0..<records {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            let u = Int((rng >> 33) % UInt64(keys)), k = Int((rng >> 20) % 5)
            let ts = Int64(i) * 10   // 100 records per second of event time
            try o.feed([users[u], kinds[k]], ts: ts, &out)
            if i % 100 == 99 {
                o.onWatermark(ts, partition: 0, output: &out)
                out.rows.removeAll(keepingCapacity: true)
            }
            if i % 10_000 == 0 { peak = max(peak, o.stateCounts.entries) }
        }
        o.onWatermark(Int64(records) * 10 + 120_000, partition: 0, output: &out)
        return (Date().timeIntervalSince(start), o.matchCount, peak, o)
    }

    func testStateStaysBoundedAndWorkPerRecordFlat() throws {
        let small = try run(records: 10_000, keys: 1_000)
        let large = try run(records: 40_000, keys: 1_000)
        XCTAssertGreaterThan(large.matches, 0)
        XCTAssertEqual(large.op.stateCounts.keys, 0, "every key's partial matches timed out at the end")
        // 4x the records: well under 8x the time (a quadratic cost per key would show)
        XCTAssertLessThan(large.seconds, small.seconds * 8, "\(small.seconds) s vs \(large.seconds) s")
        print("CEPLoadTests: 40,000 records, 1,000 keys: \(Int(Double(40_000) / large.seconds)) records/s (debug build), " +
              "\(large.matches) matches, peak \(large.peakPartial) partial matches alive")
    }
}
