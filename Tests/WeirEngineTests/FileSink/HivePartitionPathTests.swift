import Foundation
import XCTest
@testable import WeirEngine

/// Partition directories from hostile record data: every value is one path
/// component below the sink's directory, and unescaping gives it back.
final class HivePartitionPathTests: XCTestCase {
    private func component(_ name: String, _ value: [UInt8]?) -> (String, Bool) {
        var out: [UInt8] = []
        let ok: Bool
        if let value {
            ok = value.withUnsafeBytes { HivePartitionPath.appendComponent(name: Array(name.utf8), value: $0, to: &out) }
        } else {
            ok = HivePartitionPath.appendComponent(name: Array(name.utf8), value: nil, to: &out)
        }
        return (String(decoding: out, as: UTF8.self), ok)
    }

    func testPlainValuesStayReadable() {
        XCTAssertEqual(component("dt", Array("2026-12-07".utf8)).0, "dt=2026-12-07")
        XCTAssertEqual(component("country", Array("DE".utf8)).0, "country=DE")
        XCTAssertEqual(component("city", Array("München".utf8)).0, "city=München", "UTF-8 text is kept")
        XCTAssertEqual(component("v", Array("a.b_c-d e".utf8)).0, "v=a.b_c-d e")
    }

    func testNullAndEmptyAreHivesDefaultPartition() {
        XCTAssertEqual(component("c", nil).0, "c=__HIVE_DEFAULT_PARTITION__")
        XCTAssertEqual(component("c", []).0, "c=__HIVE_DEFAULT_PARTITION__")
    }

    func testHostileValuesCannotTraversePaths() {
        let hostile: [String] = [
            "..", ".", "...", "../../etc/passwd", "/etc/passwd", "a/b", "..\\..\\windows", "x=y/z=w",
            "%2e%2e", "a\u{0}b", "line\nbreak", "tab\there", "\u{7f}", "c:\\", "what?*[]{}^#'\"", "%",
        ]
        for v in hostile {
            let bytes = Array(v.utf8)
            let (c, ok) = component("p", bytes)
            XCTAssertTrue(ok)
            XCTAssertTrue(c.hasPrefix("p="), c)
            let escaped = String(c.dropFirst(2))
            XCTAssertFalse(escaped.contains("/"), "no separator survives: \(c)")
            XCTAssertFalse(escaped.contains("\\"), c)
            XCTAssertFalse(escaped.contains("="), c)
            XCTAssertFalse(escaped.utf8.contains { $0 < 0x20 || $0 == 0x7F }, "no control byte survives: \(c)")
            XCTAssertNotEqual(escaped, "..")
            XCTAssertNotEqual(escaped, ".")
            XCTAssertEqual(HivePartitionPath.unescape(escaped), bytes, "round trip of \(v.debugDescription)")
            // As a path: exactly one component below the base.
            let url = URL(fileURLWithPath: "/base").appendingPathComponent(c).standardizedFileURL
            XCTAssertEqual(url.deletingLastPathComponent().path, "/base", c)
        }
        XCTAssertEqual(component("p", Array("..".utf8)).0, "p=%2E%2E")
        XCTAssertEqual(component("p", Array("a/b".utf8)).0, "p=a%2Fb")
        XCTAssertEqual(component("p", Array("100%".utf8)).0, "p=100%25")
        XCTAssertEqual(component("p", Array("k=v".utf8)).0, "p=k%3Dv")
    }

    func testTooLongValuesAreRefused() {
        XCTAssertTrue(component("p", Array(repeating: UInt8(ascii: "a"), count: 200)).1)
        XCTAssertFalse(component("p", Array(repeating: UInt8(ascii: "a"), count: 201)).1)
        XCTAssertFalse(component("p", Array(repeating: UInt8(ascii: "/"), count: 70)).1, "measured escaped (70 × 3 bytes)")
    }
}
