import XCTest
@testable import WeirEngine

/// The Swift API: `.keyBy(…).pattern(…)` compiles to the CEP operator.
final class CEPDataflowTests: XCTestCase {
    private let t0: Int64 = 1_700_000_000_000

    /// Three failed logins, then a success, within five minutes.
    func testFailedLoginsThenSuccess() throws {
        let pattern = Pattern<CEPEvent>.begin("fail", skip: .skipPastLastEvent).where { $0["ok"] == .bool(false) }
            .timesOrMore(3).consecutive()
            .next("success").where { $0["ok"] == .bool(true) }
            .within(ms: 300_000)
        var results: [String] = []
        let job = try Dataflow.source(fields: ["user", "ok", "ip", "ts"])
            .assignTimestamps(field: "ts", format: .epochMillis, watermark: WatermarkConfig(maxOutOfOrdernessMs: 0))
            .keyBy("user")
            .pattern(pattern, measures: [.count("fail", as: "failures"), .first("fail", "ip", as: "first_ip"),
                                         .matchStart(as: "from"), .matchEnd(as: "to")])
            .sink { results.append($0.description) }
        func login(_ user: String, _ ok: Bool, _ ip: String, _ s: Int64) throws {
            try job.push(["user": .string(user), "ok": .bool(ok), "ip": .string(ip), "ts": .int(t0 + s * 1_000)])
        }
        try login("ann", false, "1.1.1.1", 0)
        try login("bob", false, "2.2.2.2", 1)
        try login("ann", false, "1.1.1.2", 10)
        try login("ann", false, "1.1.1.3", 20)
        try login("bob", true, "2.2.2.2", 21)      // bob: one failure only
        try login("ann", true, "1.1.1.3", 30)      // ann: 3 failures then success within 30 s
        try login("cat", false, "3.3.3.3", 40)
        try login("cat", false, "3.3.3.3", 100)
        try login("cat", false, "3.3.3.3", 200)
        try login("cat", true, "3.3.3.3", 340)     // 340 s after the first: outside within
        job.advance()
        job.finish()
        XCTAssertEqual(results, ["user=ann failures=3 first_ip=1.1.1.1 from=\(t0) to=\(t0 + 30_000)"])
    }

    /// An order with no payment within 15 minutes, and the time-out rows.
    func testOrderWithoutPayment() throws {
        let pattern = Pattern<CEPEvent>.begin("order").where { $0["type"] == .string("order") }
            .notFollowedBy("payment").where { $0["type"] == .string("payment") }
            .within(ms: 900_000)
        var results: [String] = []
        let job = try Dataflow.source(fields: ["order_id", "type", "ts"])
            .assignTimestamps(field: "ts", format: .epochMillis, watermark: WatermarkConfig(maxOutOfOrdernessMs: 0))
            .keyBy("order_id")
            .pattern(pattern, measures: [.matchStart(as: "ordered_at")])
            .sink { results.append($0.description) }
        try job.push(["order_id": .string("o1"), "type": .string("order"), "ts": .int(t0)])
        try job.push(["order_id": .string("o2"), "type": .string("order"), "ts": .int(t0 + 1_000)])
        try job.push(["order_id": .string("o2"), "type": .string("payment"), "ts": .int(t0 + 60_000)])
        try job.push(["order_id": .string("o3"), "type": .string("order"), "ts": .int(t0 + 899_000)])
        job.advance()
        XCTAssertEqual(results, [])
        try job.push(["order_id": .string("o9"), "type": .string("ping"), "ts": .int(t0 + 900_000)])   // moves the watermark
        job.advance()
        XCTAssertEqual(results, ["order_id=o1 ordered_at=\(t0)"])
    }

    func testUnknownMeasureFieldIsRefused() throws {
        let keyed = try Dataflow.source(fields: ["user", "ts"]).keyBy("user")
        XCTAssertThrowsError(try keyed.pattern(Pattern<CEPEvent>.begin("a"), measures: [.first("a", "nope", as: "x")]))
        XCTAssertThrowsError(try keyed.pattern(Pattern<CEPEvent>.begin("a").followedBy("a"), measures: []))
    }
}
