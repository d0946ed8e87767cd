import XCTest
@testable import WeirPipelines

/// Pattern steps that must be refused — where Flink refuses the pattern too,
/// and where the file is wrong — each with the exact place of the first diagnostic.
final class BrokenPatternPipelineTests: XCTestCase {
    /// The pattern step is on line 7; `stages:` on line 8, the first stage item on line 9.
    func refused(_ pattern: String, line: Int, column: Int, field: String, _ phrase: String,
                 file: StaticString = #filePath, testLine: UInt = #line) {
        assertRefused(PatternPipelineTests.patternPipeline(pattern), line: line, column: column, field: field, phrase,
                      file: file, testLine: testLine)
    }

    func testDuplicateStageName() {
        refused("""
              stages:
                - name: a
                - name: a
        """, line: 10, column: 17, field: "steps[1].pattern.stages[1].name", "duplicate stage name")
    }

    func testNotFollowedByEndingWithoutWithin() {
        refused("""
              stages:
                - name: a
                - name: b
                  contiguity: notFollowedBy
        """, line: 11, column: 11, field: "steps[1].pattern.stages[1].contiguity", "notFollowedBy cannot end a pattern without within")
    }

    func testPartialMatchCapBelowOne() {
        refused("""
              stages:
                - name: a
              maxPartialMatchesPerKey: 0
        """, line: 10, column: 32, field: "steps[1].pattern.maxPartialMatchesPerKey", "expected an integer from 1 to 100000000, found 0")
    }

    func testUntilOnASingleEventStage() {
        refused("""
              stages:
                - name: a
                  until: "x > 1"
        """, line: 10, column: 11, field: "steps[1].pattern.stages[0].until", "until applies only to looping stages")
    }

    func testNotStageAfterAnOptionalStage() {
        refused("""
              stages:
                - name: a
                - name: b
                  optional: true
                - name: c
                  contiguity: notNext
                - name: d
        """, line: 13, column: 11, field: "steps[1].pattern.stages[2].contiguity", "optional path to NOT condition is not supported")
    }

    func testPatternStartingWithANotStage() {
        refused("""
              stages:
                - name: a
                  contiguity: notNext
        """, line: 10, column: 23, field: "steps[1].pattern.stages[0].contiguity", "a pattern cannot start with a not-stage")
    }

    func testUnknownStageInACondition() {
        refused("""
              stages:
                - name: big
                - name: bigger
                  where: "amount > last(bgi.amount)"
        """, line: 11, column: 33, field: "steps[1].pattern.stages[1].where", "'bgi' is not a stage of this pattern; did you mean 'big'?")
    }

    func testUnknownStageInAMeasure() {
        refused("""
              stages:
                - name: fail
              measures:
                n: count(fial)
        """, line: 11, column: 18, field: "steps[1].pattern.measures.n", "'fial' is not a stage of this pattern")
    }

    func testUnknownMeasureFunction() {
        refused("""
              stages:
                - name: fail
              measures:
                n: median(fail.amount)
        """, line: 11, column: 12, field: "steps[1].pattern.measures.n", "unknown measure function 'median'")
    }

    func testSkipToAStageThePatternDoesNotHave() {
        refused("""
              stages:
                - name: a
              afterMatch: {skipToFirst: b}
        """, line: 10, column: 7, field: "steps[1].pattern.afterMatch", "names stage \"b\", which the pattern does not have")
    }

    func testUnknownContiguity() {
        refused("""
              stages:
                - name: a
                - name: b
                  contiguity: folowedBy
        """, line: 11, column: 23, field: "steps[1].pattern.stages[1].contiguity", "unknown contiguity 'folowedBy'; did you mean 'followedBy'?")
    }

    func testMatchStartInACondition() {
        refused("""
              stages:
                - name: a
                  where: "match_start() > 0"
        """, line: 10, column: 19, field: "steps[1].pattern.stages[0].where", "a condition cannot use it")
    }

    func testTwoQuantifiersOnAStage() {
        refused("""
              stages:
                - name: a
                  times: 2
                  oneOrMore: true
        """, line: 11, column: 11, field: "steps[1].pattern.stages[0].oneOrMore", "a stage has one quantifier")
    }

    func testGreedyOnASingleEventStage() {
        refused("""
              stages:
                - name: a
                  greedy: true
        """, line: 10, column: 11, field: "steps[1].pattern.stages[0].greedy", "greedy applies only to looping or times stages")
    }

    func testConsecutiveAndAllowCombinationsTogether() {
        refused("""
              stages:
                - name: a
                  oneOrMore: true
                  consecutive: true
                  allowCombinations: true
        """, line: 12, column: 11, field: "steps[1].pattern.stages[0].allowCombinations", "cannot both be applied")
    }

    func testAConditionThatIsNotBoolean() {
        refused("""
              stages:
                - name: a
                  where: "amount + 1"
        """, line: 10, column: 18, field: "steps[1].pattern.stages[0].where", "must be a boolean expression")
    }

    func testMeasureNamedLikeTheKey() {
        refused("""
              stages:
                - name: a
              measures:
                k: count(a)
        """, line: 11, column: 9, field: "steps[1].pattern.measures.k", "output field 'k' is already a key field")
    }

    func testWithinZero() {
        refused("""
              stages:
                - name: a
              within: 0s
        """, line: 10, column: 15, field: "steps[1].pattern.within", "within must be")
    }

    func testPatternWithoutKeyBy() {
        assertRefused("name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}}\nsteps:\n  - pattern: {stages: [{name: a}]}\n",
                      line: 5, column: 5, field: "steps[0].pattern", "put a keyBy step before it")
    }

    func testStepsAfterAPatternAreRefused() {
        refused("""
              stages:
                - name: a
          - filter: "k == 'x'"
        """, line: 10, column: 5, field: "steps[2].filter", "steps after pattern are not supported yet")
    }

    func testTimedOutToTheSourceTopic() {
        refused("""
              stages:
                - name: a
              within: 1m
              timedOut: {topic: in}
        """, line: 11, column: 25, field: "steps[1].pattern.timedOut.topic", "the timed-out topic 'in' is also a source topic")
    }

    func testTimedOutWithoutWithin() {
        refused("""
              stages:
                - name: a
              timedOut: {field: timed_out}
        """, line: 8, column: 7, field: "steps[1].pattern", "timedOut needs 'within'")
    }

    func testTimedOutToAFileFromAKafkaJob() {
        refused("""
              stages:
                - name: a
              within: 1m
              timedOut: {file: out.jsonl}
        """, line: 11, column: 24, field: "steps[1].pattern.timedOut.file", "a Kafka job writes timedOut to a topic")
    }

    func testAfterMatchWithUnknownStrategy() {
        refused("""
              stages:
                - name: a
              afterMatch: skipPastLast
        """, line: 10, column: 19, field: "steps[1].pattern.afterMatch", "unknown afterMatch 'skipPastLast' (expected noSkip, skipToNext, skipPastLastEvent")
    }

    func testAfterMatchSkipToFirstWithoutAStage() {
        refused("""
              stages:
                - name: a
              afterMatch: skipToFirst
        """, line: 10, column: 19, field: "steps[1].pattern.afterMatch", "skipToFirst names a stage: write {skipToFirst: stageName}")
    }
}
