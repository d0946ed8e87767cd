import XCTest
import WeirEngine
import WeirPipelines
@testable import WeirTesting

/// What `weir test` prints for a case that fails: where, which list, the
/// first difference and why, and the records as -/+ lines.
final class ReportTests: XCTestCase {
    /// Runs a test file (beside windowsPipeline() as w.yaml) and returns its result and report.
    func run(_ cases: String, pipeline: String = windowsPipeline()) throws -> (FileResult, String) {
        let dir = try directory(["w.yaml": pipeline, "t.test.yaml": "pipeline: w.yaml\ncases:\n" + cases], self)
        let result = TestFileRunner.run(path: dir.appendingPathComponent("t.test.yaml").path)
        return (result, TextReport.file(result))
    }

    let threeWindows = """
          - {value: {event: click, user_id: u1, ts: 1000, amount: 1}}
          - {value: {event: click, user_id: u1, ts: 2000, amount: 1}}
          - {value: {event: click, user_id: u2, ts: 3000, amount: 1}}
          - {value: {event: click, user_id: u3, ts: 4000, amount: 1}}
          - {value: {event: click, user_id: u3, ts: 90000, amount: 1}}

    """

    func testAnOrderedDiffShowsTheFirstDifferenceAndWhy() throws {
        let (result, report) = try run("""
          - name: counts
            input:
        \(threeWindows)    expect:
              output:
                - {key: u1, value: {user_id: u1, window_start: 0, window_end: 60000, clicks: 2, amount: 2}}
                - {key: u3, value: {user_id: u3, window_start: 0, window_end: 60000, clicks: 3, amount: 1}}
                - {key: u2, value: {user_id: u2, window_start: 0, window_end: 60000, clicks: 1, amount: 1}}
        """)
        XCTAssertFalse(result.ok)
        XCTAssertEqual(result.failed, 1)
        XCTAssertTrue(report.contains("  FAIL   counts"), report)
        XCTAssertTrue(report.contains("expect at \(result.path):10:5"), report)
        XCTAssertTrue(report.contains("output: 3 expected, 3 came out"), report)
        XCTAssertTrue(report.contains("first difference: expected #2, came out #2: value.clicks: expected 3, found 1"), report)
        let lines = report.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertTrue(lines.contains("#1 {key: u1, value: {user_id: u1, window_start: 0, window_end: 60000, clicks: 2, amount: 2}}"), report)
        XCTAssertTrue(lines.contains("- #2 {key: u3, value: {user_id: u3, window_start: 0, window_end: 60000, clicks: 3, amount: 1}}"), report)
        XCTAssertTrue(lines.contains("+ #2 {key: u3, value: {user_id: u3, window_start: 0, window_end: 60000, clicks: 1, amount: 1}}"), report)
        XCTAssertTrue(lines.contains("#3 {key: u2, value: {user_id: u2, window_start: 0, window_end: 60000, clicks: 1, amount: 1}}"), report)
    }

    func testAMissingRecordIsOneLineNotAShiftedList() {
        let differ: (Int, Int) -> String? = { $0 == $1 ? nil : "value: expected \($0), found \($1)" }
        let m = ListDiff.compare("output", expected: [1, 2, 3, 4], actual: [1, 2, 4], anyOrder: false,
                                 differ: differ, showE: { "\($0)" }, showA: { "\($0)" })
        XCTAssertEqual(m?.lines, ["  #1 1", "  #2 2", "- #3 3", "  #3 4"])
        XCTAssertEqual(m?.why, "expected #3 did not come out")
        XCTAssertEqual(m?.summary, "4 expected, 3 came out")
        let extra = ListDiff.compare("output", expected: [1, 2], actual: [1, 9, 2], anyOrder: false,
                                     differ: differ, showE: { "\($0)" }, showA: { "\($0)" })
        XCTAssertEqual(extra?.lines, ["  #1 1", "+ #2 9", "  #3 2"])
        XCTAssertEqual(extra?.why, "#2 came out, not expected")
        XCTAssertNil(ListDiff.compare("output", expected: [1, 2], actual: [1, 2], anyOrder: false, differ: differ, showE: { "\($0)" }, showA: { "\($0)" }))
    }

    func testLongRunsOfEqualRecordsAreFolded() {
        let expected = Array(1...20), actual = Array(1...19) + [99]
        let m = ListDiff.compare("output", expected: expected, actual: actual, anyOrder: false,
                                 differ: { $0 == $1 ? nil : "differs" }, showE: { "\($0)" }, showA: { "\($0)" })
        XCTAssertEqual(m?.lines, ["  … 17 equal", "  #18 18", "  #19 19", "- #20 20", "+ #20 99"])
        XCTAssertEqual(m?.why, "expected #20, came out #20: differs")
    }

    func testInAnyOrder() throws {
        let rows = """
                - {key: u3, value: {user_id: u3, window_start: 0, window_end: 60000, clicks: 1, amount: 1}}
                - {key: u2, value: {user_id: u2, window_start: 0, window_end: 60000, clicks: 1, amount: 1}}
                - {key: u1, value: {user_id: u1, window_start: 0, window_end: 60000, clicks: 2, amount: 2}}

        """
        let (ok, okReport) = try run("  - name: any\n    input:\n\(threeWindows)    expect:\n      order: any\n      output:\n" + rows)
        XCTAssertTrue(ok.ok, okReport)
        let (exact, _) = try run("  - name: exact\n    input:\n\(threeWindows)    expect:\n      output:\n" + rows)
        XCTAssertFalse(exact.ok, "the same rows in another order")
        let (bad, report) = try run("  - name: any\n    input:\n\(threeWindows)    expect:\n      order: any\n      output:\n"
                                    + rows.replacingOccurrences(of: "clicks: 2", with: "clicks: 5"))
        XCTAssertFalse(bad.ok)
        XCTAssertTrue(report.contains("output: 3 expected in any order, 3 came out; 1 not found, 1 not expected"), report)
        XCTAssertTrue(report.contains("first difference: expected #3, came out #1: value.clicks: expected 5, found 2"), report)
    }

    func testNumbersCompareByValueAndWithinATolerance() {
        func n(_ s: String) -> TestValue { .number(TestNumber(s)!) }
        XCTAssertNil(ValueComparison.difference(n("7"), n("7.0"), at: "v", tolerance: 0), "7 and 7.0 are one number")
        XCTAssertNil(ValueComparison.difference(n("1e3"), n("1000"), at: "v", tolerance: 0))
        XCTAssertEqual(ValueComparison.difference(n("0.3"), n("0.30000000000000004"), at: "v", tolerance: 0),
                       "v: expected 0.3, found 0.30000000000000004")
        XCTAssertNil(ValueComparison.difference(n("0.3"), n("0.30000000000000004"), at: "v", tolerance: 1e-9))
        XCTAssertEqual(ValueComparison.difference(n("0.3"), n("0.4"), at: "v", tolerance: 0.01), "v: expected 0.3, found 0.4 (more than 0.01 apart)")
        XCTAssertEqual(ValueComparison.difference(n("9007199254740993"), n("9007199254740992"), at: "v", tolerance: 0),
                       "v: expected 9007199254740993, found 9007199254740992", "integers exactly, beyond a double's precision")
        XCTAssertEqual(ValueComparison.difference(n("1"), .string("1"), at: "v", tolerance: 0), "v: expected a number 1, found a string \"1\"")
        let a = TestValue.object([.init("x", n("1")), .init("y", .array([n("1")]))])
        XCTAssertNil(ValueComparison.difference(a, .object([.init("y", .array([n("1")])), .init("x", n("1"))]), at: "value", tolerance: 0),
                     "members in any order")
        XCTAssertEqual(ValueComparison.difference(a, .object([.init("x", n("1"))]), at: "value", tolerance: 0), "value.y: missing (expected [1])")
        XCTAssertEqual(ValueComparison.difference(a, .object([.init("x", n("1")), .init("y", .array([])), .init("z", .null)]), at: "value", tolerance: 0),
                       "value.y: expected 1 item, found 0: []")
    }

    func testToleranceFromTheFile() throws {
        let pipeline = windowsPipeline()
        let dir = try directory(["w.yaml": pipeline, "t.test.yaml": """
            pipeline: w.yaml
            tolerance: 0.001
            cases:
              - name: close enough
                input:
                  - {value: {event: click, user_id: u1, ts: 1000, amount: 0.1}}
                  - {value: {event: click, user_id: u1, ts: 2000, amount: 0.2}}
                  - {value: {event: click, user_id: u1, ts: 90000, amount: 1}}
                expect:
                  output: [{value: {user_id: u1, window_start: 0, window_end: 60000, clicks: 2, amount: 0.3001}}]
              - name: exact here
                tolerance: 0
                input:
                  - {value: {event: click, user_id: u1, ts: 1000, amount: 0.1}}
                  - {value: {event: click, user_id: u1, ts: 90000, amount: 1}}
                expect:
                  output: [{value: {user_id: u1, window_start: 0, window_end: 60000, clicks: 1, amount: 0.1001}}]
            """], self)
        let r = TestFileRunner.run(path: dir.appendingPathComponent("t.test.yaml").path)
        XCTAssertEqual(r.cases.map { $0.outcome == .passed }, [true, false], TextReport.file(r))
    }

    func testKeysHeadersAndMessagesAreComparedWhenGiven() throws {
        let (r, report) = try run("""
          - name: keys
            input:
              - {key: k1, raw: "oops", headers: {trace: t1}}
            expect:
              deadLetters:
                - {error: decode, key: k2, raw: "oops"}
          - name: headers
            input:
              - {key: k1, raw: "oops", headers: {trace: t1}}
            expect:
              deadLetters:
                - {error: decode, headers: {trace: t2}}
          - name: message
            input:
              - {key: k1, raw: "oops"}
            expect:
              deadLetters:
                - {error: decode, message: "a JSON array"}
          - name: class
            input:
              - {key: k1, raw: "oops"}
            expect:
              deadLetters:
                - {error: timestamp}
          - name: all given right
            input:
              - {key: k1, raw: "oops", headers: {trace: t1}}
            expect:
              deadLetters:
                - {error: decode, message: "JSON object", key: k1, raw: "oops", headers: {trace: t1, weir.source.offset: "0"}}
        """)
        XCTAssertEqual(r.cases.map { $0.outcome == .passed }, [false, false, false, false, true], report)
        XCTAssertTrue(report.contains("key: expected k2, found k1"), report)
        XCTAssertTrue(report.contains("header trace: expected t2, found t1"), report)
        XCTAssertTrue(report.contains("message: expected it to contain \"a JSON array\""), report)
        XCTAssertTrue(report.contains("error: expected timestamp, found decode"), report)
    }

    func testAStepTheDriverRefusesIsAnErrorAtItsPlace() throws {
        let dir = try directory(["w.yaml": windowsPipeline(), "t.test.yaml": "pipeline: w.yaml\ncases:\n  - name: e\n    input:\n      - {value: {}}\n"], self)
        var file = try TestFileLoader.load(path: dir.appendingPathComponent("t.test.yaml").path)
        guard case .input(var records) = file.cases[0].steps[0].kind else { return XCTFail("no input") }
        records[0].partition = 5   // past what the loader checks
        file.cases[0].steps[0].kind = .input(records)
        let r = TestFileRunner.run(file)
        guard case .error(let message) = r.cases[0].outcome else { return XCTFail("\(r.cases[0].outcome)") }
        XCTAssertTrue(message.hasPrefix("\(file.path):5:9: partition 5 does not exist"), message)
        XCTAssertTrue(TextReport.file(r).contains("  ERROR  e"))
        XCTAssertEqual(r.errors, 1)
    }

    func testTheSummaryLine() {
        let ok = CaseResult(name: "a", location: "f:1:1", outcome: .passed, seconds: 0.001)
        let bad = CaseResult(name: "b", location: "f:2:1", outcome: .failed([]), seconds: 0.002)
        let results = [FileResult(path: "f", pipeline: "p", cases: [ok, bad], refused: [], seconds: 0.01),
                       FileResult(path: "g", pipeline: nil, cases: [], refused: [Diagnostic(file: "g", line: 1, column: 1, field: "x", message: "m")], seconds: 0)]
        XCTAssertEqual(TextReport.summary(results, seconds: 0.0123), "weir test: 2 cases in 2 files: 1 passed, 1 failed, 1 error (12 ms)")
        XCTAssertTrue(TextReport.file(results[1]).contains("REFUSED"))
        XCTAssertTrue(TextReport.file(results[1]).contains("g:1:1: error: x: m"))
    }
}
