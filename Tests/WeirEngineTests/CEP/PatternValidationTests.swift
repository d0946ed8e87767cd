import XCTest
@testable import WeirEngine

/// The patterns Flink refuses are refused, naming the stage at fault.
final class PatternValidationTests: XCTestCase {
    private func refused(_ p: Pattern<Ev>, _ fragment: String, stage: String?, line: UInt = #line) {
        do {
            _ = try NFA(p)
            XCTFail("accepted", line: line)
        } catch {
            XCTAssertTrue(error.message.contains(fragment), "\(error.message)", line: line)
            XCTAssertEqual(error.stage, stage, line: line)
        }
    }

    private let a = Pattern<Ev>.begin("a").kind("a")

    func testDuplicateStageNames() {
        refused(a.followedBy("a"), "duplicate", stage: "a")
    }

    func testColonInName() {
        refused(a.followedBy("b:1"), "':'", stage: "b:1")
    }

    func testNotFollowedByAtTheEndNeedsWithin() throws {
        refused(a.notFollowedBy("b"), "without within", stage: "b")
        XCTAssertNoThrow(try NFA(a.notFollowedBy("b").within(ms: 10)))
    }

    func testUntilOnlyOnLoopingStages() throws {
        refused(a.until { _ in true }, "looping", stage: "a")
        refused(a.times(2).until { _ in true }, "looping", stage: "a")
        refused(a.oneOrMore().until { _ in true }.until { _ in true }, "only one until", stage: "a")
        XCTAssertNoThrow(try NFA(a.oneOrMore().until { _ in true }))
    }

    func testNotStageAfterOptionalStage() {
        refused(a.followedBy("b").optional().notFollowedBy("c").followedBy("d"), "optional", stage: "c")
        refused(a.followedBy("b").optional().notNext("c").followedBy("d"), "optional", stage: "c")
    }

    func testNotStagesCannotBeQuantified() {
        refused(a.notNext("b").oneOrMore(), "quantified", stage: "b")
        refused(a.notNext("b").optional(), "not-stage", stage: "b")
        refused(a.notNext("b").greedy(), "not-stage", stage: "b")
    }

    func testGreedyNeedsALoop() {
        refused(a.greedy(), "looping", stage: "a")
        refused(a.optional().greedy(), "looping", stage: "a")
    }

    func testOptionalAfterGreedy() {
        refused(a.oneOrMore().greedy().followedBy("b").optional(), "greedy", stage: "b")
    }

    func testOptionalTwice() {
        refused(a.times(0, 2).optional(), "already", stage: "a")
    }

    func testQuantifierTwice() {
        refused(a.oneOrMore().times(2), "already", stage: "a")
    }

    func testTimesArguments() {
        refused(a.times(0), "positive", stage: "a")
        refused(a.times(3, 2), "at least", stage: "a")
        refused(a.times(0, 0), "both be 0", stage: "a")
        refused(a.timesOrMore(0), "positive", stage: "a")
    }

    func testInnerContiguityNeedsALoop() {
        refused(a.consecutive(), "looping", stage: "a")
        refused(a.allowCombinations(), "looping", stage: "a")
    }

    func testConsecutiveAndCombinationsExcludeEachOther() {
        refused(a.oneOrMore().consecutive().allowCombinations(), "both", stage: "a")
        refused(a.oneOrMore().allowCombinations().consecutive(), "both", stage: "a")
        refused(a.oneOrMore().consecutive().consecutive(), "already", stage: "a")
    }

    func testSkipStrategyStageMustExist() {
        refused(Pattern<Ev>.begin("a", skip: .skipToFirst("x")).followedBy("b"), "does not have", stage: nil)
    }

    func testWithinMustBePositive() {
        refused(a.within(ms: 0), "positive", stage: nil)
    }
}
