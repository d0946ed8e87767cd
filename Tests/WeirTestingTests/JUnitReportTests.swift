import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
import WeirPipelines
@testable import WeirTesting

/// `weir test --junit FILE`: well-formed JUnit XML with the counts, the
/// cases, and the diff of each failure.
final class JUnitReportTests: XCTestCase {
    func results() -> [FileResult] {
        let mismatch = ListMismatch(list: "output", summary: "1 expected, 0 came out", why: "expected #1 did not come out",
                                    lines: ["- #1 {value: {a: \"<&>\"}}"])
        let cases = [
            CaseResult(name: "passes", location: "t.test.yaml:3:5", outcome: .passed, seconds: 0.0012),
            CaseResult(name: "fails <\"quoted\"> & more", location: "t.test.yaml:9:5",
                       outcome: .failed([CheckFailure(location: "t.test.yaml:12:5", mismatches: [mismatch])]), seconds: 0.002),
            CaseResult(name: "breaks", location: "t.test.yaml:20:5", outcome: .error("t.test.yaml:21:9: partition 5 does not exist"), seconds: 0),
        ]
        return [
            FileResult(path: "pipelines/a.test.yaml", pipeline: "pipelines/a.yaml", cases: cases, refused: [], seconds: 0.01),
            FileResult(path: "pipelines/b.test.yaml", pipeline: nil, cases: [],
                       refused: [Diagnostic(file: "pipelines/b.test.yaml", line: 2, column: 3, field: "cases", message: "expected a list\u{1}")], seconds: 0),
        ]
    }

    func testTheXMLIsWellFormedWithCountsCasesAndDiffs() throws {
        let xml = JUnitReport.xml(results(), seconds: 0.5)
        let doc = try XMLDocument(xmlString: xml, options: [])
        let root = try XCTUnwrap(doc.rootElement())
        XCTAssertEqual(root.name, "testsuites")
        XCTAssertEqual(root.attribute(forName: "tests")?.stringValue, "4")
        XCTAssertEqual(root.attribute(forName: "failures")?.stringValue, "1")
        XCTAssertEqual(root.attribute(forName: "errors")?.stringValue, "2")
        let suites = root.elements(forName: "testsuite")
        XCTAssertEqual(suites.map { $0.attribute(forName: "name")?.stringValue }, ["pipelines/a.test.yaml", "pipelines/b.test.yaml"])
        let cases = suites[0].elements(forName: "testcase")
        XCTAssertEqual(cases.map { $0.attribute(forName: "name")?.stringValue }, ["passes", "fails <\"quoted\"> & more", "breaks"])
        XCTAssertEqual(cases[0].attribute(forName: "classname")?.stringValue, "pipelines.a")
        XCTAssertEqual(cases[0].attribute(forName: "time")?.stringValue, "0.001200")
        XCTAssertEqual(cases[0].children?.count ?? 0, 0)
        let failure = try XCTUnwrap(cases[1].elements(forName: "failure").first)
        XCTAssertEqual(failure.attribute(forName: "message")?.stringValue, "output: 1 expected, 0 came out")
        let text = try XCTUnwrap(failure.stringValue)
        XCTAssertTrue(text.contains("expect at t.test.yaml:12:5"), text)
        XCTAssertTrue(text.contains("- #1 {value: {a: \"<&>\"}}"), text)
        XCTAssertEqual(cases[2].elements(forName: "error").first?.attribute(forName: "message")?.stringValue,
                       "t.test.yaml:21:9: partition 5 does not exist")
        let refused = try XCTUnwrap(suites[1].elements(forName: "testcase").first?.elements(forName: "error").first)
        XCTAssertTrue(refused.stringValue?.contains("pipelines/b.test.yaml:2:3: error: cases: expected a list\u{FFFD}") == true,
                      "a character XML cannot hold is replaced")
        XCTAssertEqual(suites[0].elements(forName: "properties").first?.elements(forName: "property").first?.attribute(forName: "value")?.stringValue,
                       "pipelines/a.yaml")
    }

    func testAllPassingHasNoFailureElements() throws {
        let ok = [FileResult(path: "x.test.yaml", pipeline: "x.yaml",
                             cases: [CaseResult(name: "a", location: "x:1:1", outcome: .passed, seconds: 0)], refused: [], seconds: 0)]
        let xml = JUnitReport.xml(ok, seconds: 0)
        XCTAssertFalse(xml.contains("<failure"))
        XCTAssertFalse(xml.contains("<error"))
        XCTAssertTrue(xml.contains("tests=\"1\" failures=\"0\" errors=\"0\""), xml)
    }
}
