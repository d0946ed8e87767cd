import XCTest
import WeirPipelines
@testable import WeirTesting

/// `--update`: the lists that did not hold are rewritten from what came out;
/// the rest of the file stays as written; the file then passes.
final class GoldenUpdateTests: XCTestCase {
    /// Writes `text` beside w.yaml, runs it, updates it; returns the new text,
    /// what it said, and the result of running the new text.
    func update(_ text: String) throws -> (text: String, changes: [String], skipped: [String], after: FileResult) {
        let dir = try directory(["w.yaml": windowsPipeline(), "t.test.yaml": text], self)
        let path = dir.appendingPathComponent("t.test.yaml").path
        let before = TestFileRunner.run(path: path)
        XCTAssertTrue(before.refused.isEmpty, TextReport.file(before))
        let outcome = GoldenUpdate.update(text: text, path: path, result: before)
        let new = outcome.text ?? text
        try new.write(toFile: path, atomically: true, encoding: .utf8)
        return (new, outcome.changes, outcome.skipped, TestFileRunner.run(path: path))
    }

    let twoWindows = """
          - {value: {event: click, user_id: u1, ts: 1000, amount: 1}}
          - {value: {event: click, user_id: u1, ts: 90000, amount: 2}}
          - {raw: "bad"}

    """

    func testABlockListIsReplacedAndNothingElseMoves() throws {
        let text = """
        # a comment that stays
        pipeline: w.yaml
        cases:
          - name: stale     # the name's comment stays
            input:
        \(twoWindows)    expect:
              output:
                - {value: {user_id: u1, window_start: 0, window_end: 60000, clicks: 7, amount: 1}}   # a stale row
                - {value: {user_id: u9}}
              deadLetters:
                - {error: decode}
          - name: fine
            input: []

        """
        let (new, changes, skipped, after) = try update(text)
        XCTAssertTrue(after.ok, TextReport.file(after))
        XCTAssertEqual(skipped, [])
        XCTAssertEqual(changes, ["case 'stale': expect at \(after.path):9: output rewritten from what came out: 1 record (was 2)"])
        XCTAssertEqual(new, text.replacingOccurrences(of: """
              output:
                - {value: {user_id: u1, window_start: 0, window_end: 60000, clicks: 7, amount: 1}}   # a stale row
                - {value: {user_id: u9}}

        """, with: """
              output:
                - {key: u1, value: {user_id: u1, window_start: 0, window_end: 60000, clicks: 1, amount: 1}}

        """), "only the output list changed")
    }

    func testACaseWithoutExpectGetsOneAfterItsLastLine() throws {
        let text = """
        pipeline: w.yaml
        cases:
          - name: new
            input:
        \(twoWindows)
          # the next case
          - name: empty
            input: []
        """
        let (new, changes, _, after) = try update(text)
        XCTAssertTrue(after.ok, TextReport.file(after))
        XCTAssertEqual(changes.count, 2, "\(changes)")
        XCTAssertTrue(new.contains("""
              - {raw: "bad"}
            expect:
              output:
                - {key: u1, value: {user_id: u1, window_start: 0, window_end: 60000, clicks: 1, amount: 1}}
              deadLetters:
                - {error: decode, message: "notAnObject at byte 0: expected a JSON object", raw: bad}

          # the next case
          - name: empty
            input: []
        """), new)
    }

    func testAFlowExpectIsWrittenAgainAsABlock() throws {
        let text = """
        pipeline: w.yaml
        cases:
          - name: flow
            steps:
              - input:
        \(twoWindows.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
              - expect: {order: any, output: [], deadLetters: [{error: decode}]}
              - input: [{raw: "worse"}]
            expect: {deadLetters: []}
        """
        let (new, _, skipped, after) = try update(text)
        XCTAssertEqual(skipped, [])
        XCTAssertTrue(after.ok, TextReport.file(after) + new)
        XCTAssertTrue(new.contains("""
              - expect:
                  order: any
                  output:
                    - {key: u1, value: {user_id: u1, window_start: 0, window_end: 60000, clicks: 1, amount: 1}}
                  deadLetters:
                    - {error: decode}
              - input: [{raw: "worse"}]
            expect:
              deadLetters:
                - {error: decode, message: "notAnObject at byte 0: expected a JSON object", raw: worse}
        """), new)
    }

    func testCompactListsFlowListsAndStateAreRewritten() throws {
        let text = """
        pipeline: w.yaml
        cases:
          - name: compact
            input:
              - {value: {event: click, user_id: u1, ts: 1000, amount: 1}}
              - {value: {event: click, user_id: u1, ts: 61000, amount: 2}}
            expect:
              output:
              - {value: {user_id: u1}}
              late: [
                {value: {a: 1}}
                ]   # flow, over lines
              state:
                - key: u1
                  entries: []
                - key: u2
                  entries: []
        """
        let (new, changes, skipped, after) = try update(text)
        XCTAssertEqual(skipped, [])
        XCTAssertTrue(after.ok, TextReport.file(after) + new)
        XCTAssertEqual(changes.count, 3, "\(changes)")
        XCTAssertTrue(new.hasSuffix("""
            expect:
              output: []
              late: []
              state:
                - key: u1
                  entries:
                    - {user_id: u1, window_start: 60000, window_end: 120000, clicks: 1, amount: 2}
                    - {user_id: u1, window_start: 0, window_end: 60000, clicks: 1, amount: 1}
                - key: u2
                  entries: []
        """), new)
    }

    func testPassingCasesAreLeftAlone() throws {
        let text = "pipeline: w.yaml\ncases:\n  - name: nothing\n    input: [{value: {event: view}}]\n"
        let (new, changes, _, after) = try update(text)
        XCTAssertTrue(after.ok)
        XCTAssertEqual(new, text)
        XCTAssertEqual(changes, [])
    }

    func testACaseInFlowStyleIsNotRewrittenAndSaysSo() throws {
        let text = "pipeline: w.yaml\ncases:\n  - {name: flow, input: [{raw: x}]}\n"
        let (new, changes, skipped, after) = try update(text)
        XCTAssertEqual(new, text)
        XCTAssertEqual(changes, [])
        XCTAssertEqual(skipped.count, 1)
        XCTAssertTrue(skipped.first?.contains("flow style") == true, "\(skipped)")
        XCTAssertFalse(after.ok)
    }
}
