import Foundation
import XCTest

/// `weir test`, the real binary: the shipped pipelines' tests pass; a failing
/// case makes it exit 1 with a diff; --junit and --update do what they say.
final class TestCommandTests: XCTestCase {
    /// A directory with a copy of clicks-per-user.yaml and a test file for it.
    func fixture(_ cases: String) throws -> URL {
        let dir = try temporaryDirectory("weir-test", self)
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("pipelines/clicks-per-user.yaml"),
                                         to: dir.appendingPathComponent("clicks-per-user.yaml"))
        try ("pipeline: clicks-per-user.yaml\ncases:\n" + cases).write(to: dir.appendingPathComponent("clicks.test.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    let failing = """
      - name: passes
        input:
          - {key: u1, value: {event: view, user_id: u1, ts: 1000}}
      - name: counts wrong
        input:
          - {key: u1, value: {event: click, user_id: u1, ts: 1000, amount: 1}}
          - {key: u1, value: {event: click, user_id: u1, ts: 2000, amount: 1}}
          - {key: u1, value: {event: click, user_id: u1, ts: 70000, amount: 1}}
        expect:
          output:
            - {key: u1, value: {user_id: u1, window_start: 0, window_end: 60000, clicks: 3, amount: 2, min_amount: 1, max_amount: 1}}

    """

    func testTheShippedPipelinesTestsPass() throws {
        let r = try runWeir(["test"])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        // Every shipped pipeline has a test file, and every test file ran.
        let files = try FileManager.default.contentsOfDirectory(atPath: repoRoot.appendingPathComponent("pipelines").path)
        let pipelines = files.filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".test.yaml") }.map { String($0.dropLast(5)) }.sorted()
        XCTAssertGreaterThanOrEqual(pipelines.count, 9, "\(files)")
        for name in pipelines {
            XCTAssertTrue(files.contains("\(name).test.yaml"), "pipelines/\(name).yaml has no test file")
            XCTAssertTrue(r.out.contains("pipelines/\(name).test.yaml  (pipeline pipelines/\(name).yaml)"), "\(name) has tests: \(r.out)")
        }
        XCTAssertTrue(r.out.contains(" in \(pipelines.count) files: "), r.out)
        XCTAssertFalse(r.out.contains("FAIL"), r.out)
    }

    func testAFailingCaseExitsNonZeroWithADiff() throws {
        let dir = try fixture(failing)
        let r = try runWeir(["test", dir.path])
        XCTAssertEqual(r.status, 1, r.out + r.err)
        XCTAssertTrue(r.out.contains("  ok     passes"), r.out)
        XCTAssertTrue(r.out.contains("  FAIL   counts wrong"), r.out)
        XCTAssertTrue(r.out.contains("expect at \(dir.path)/clicks.test.yaml:11:5"), r.out)
        XCTAssertTrue(r.out.contains("first difference: expected #1, came out #1: value.clicks: expected 3, found 2"), r.out)
        XCTAssertTrue(r.out.contains("weir test: 2 cases in 1 file: 1 passed, 1 failed"), r.out)
    }

    func testJUnitXMLIsWritten() throws {
        let dir = try fixture(failing)
        let xml = dir.appendingPathComponent("out/junit.xml")
        try FileManager.default.createDirectory(at: xml.deletingLastPathComponent(), withIntermediateDirectories: true)
        let r = try runWeir(["test", dir.appendingPathComponent("clicks.test.yaml").path, "--junit", xml.path])
        XCTAssertEqual(r.status, 1)
        let text = try String(contentsOf: xml, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("<?xml"), text)
        XCTAssertTrue(text.contains("<testsuites name=\"weir test\" tests=\"2\" failures=\"1\" errors=\"0\""), text)
        XCTAssertTrue(text.contains("<testcase classname=") && text.contains("name=\"passes\""), text)
        XCTAssertTrue(text.contains("<failure message=\"output: 1 expected, 1 came out\""), text)
    }

    func testUpdateRewritesTheExpectationsAndSaysSo() throws {
        let dir = try fixture(failing)
        let file = dir.appendingPathComponent("clicks.test.yaml")
        let r = try runWeir(["test", file.path, "--update"])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("  updated \(file.path):"), r.out)
        XCTAssertTrue(r.out.contains("case 'counts wrong': expect at \(file.path):11: output rewritten from what came out: 1 record (was 1)"), r.out)
        XCTAssertTrue(r.out.contains("after the update:\n  ok     passes"), r.out)
        let text = try String(contentsOf: file, encoding: .utf8)
        XCTAssertTrue(text.contains("clicks: 2, amount: 2, min_amount: 1, max_amount: 1}}"), text)
        XCTAssertFalse(text.contains("clicks: 3"), text)
        let again = try runWeir(["test", file.path])
        XCTAssertEqual(again.status, 0, again.out)
    }

    func testARefusedFileOrAMissingPathExitsNonZero() throws {
        let dir = try fixture("  - name: x\n    steps: [{advanceWatermark: soon}]\n")
        let r = try runWeir(["test", dir.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.out.contains("REFUSED"), r.out)
        XCTAssertTrue(r.out.contains("\(dir.path)/clicks.test.yaml:4:32: error: cases[0].steps[0].advanceWatermark: expected a time"), r.out)
        let missing = try runWeir(["test", dir.appendingPathComponent("nope").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.err.contains("no such file or directory"), missing.err)
        let empty = try temporaryDirectory("weir-test-empty", self)
        let none = try runWeir(["test", empty.path])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.err.contains("no *.test.yaml files"), none.err)
    }
}
