import XCTest
import Foundation
import WeirFormats

/// Numbers as the decoder reads them, against Swift's own parsers: integers
/// that fit Int64 exactly, everything else the correctly rounded double
/// (`Double(String)` is correctly rounded). Covers every length of integer
/// part up to 24 digits (zeros inside), signs, fractions and exponents, and
/// the lengths around 19 significant digits where the fast paths end.
final class JSONNumberTests: XCTestCase {
    private let decoder = JSONRowDecoder(fields: paths("n"))
    private var row = Row(slotCount: 1)

    private func check(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        if let error = decodeJSON(decoder, "{\"n\":\(text)}", row: &row) {
            XCTFail("\(text): \(error)", file: file, line: line)
            return
        }
        let isInteger = !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        if isInteger, let i = Int64(text) {
            XCTAssertEqual(row.cells[0], .int(i), text, file: file, line: line)
        } else if let d = Double(text), d.isFinite {
            guard case .double(let got) = row.cells[0] else {
                return XCTFail("\(text): \(row.described(0)), expected a double", file: file, line: line)
            }
            XCTAssertEqual(got.bitPattern, d.bitPattern, "\(text): \(got) vs \(d)", file: file, line: line)
        }
    }

    func testTimestampsAndShortDecimals() {
        for t in ["1795600800000", "1795600800123", "-1795600800000", "12.51", "0.01", "500", "0", "-0", "0.0",
                  "12345678", "123456789", "10000000", "100000000", "1234567812345678", "9223372036854775807",
                  "-9223372036854775808", "9223372036854775808", "18446744073709551615", "18446744073709551616",
                  "12345678901234567890123", "1234567890123456789", "1234567890123456789.5", "99999999.99999999",
                  "12345678e3", "12345678E-3", "1234567812345678e-10", "100000000000000000000000"] {
            check(t)
        }
    }

    func testRandomNumbersMatchSwiftsParsers() {
        var rng = SplitMix(state: 42)
        for _ in 0..<20_000 {
            var s = ""
            if Bool.random(using: &rng) { s += "-" }
            let intDigits = Int.random(in: 1...24, using: &rng)
            // JSON: no leading zeros, except a lone 0
            s += intDigits == 1 ? String(Int.random(in: 0...9, using: &rng)) : String(Int.random(in: 1...9, using: &rng))
            for _ in 1..<intDigits where intDigits > 1 {
                s += Int.random(in: 0..<10, using: &rng) < 3 ? "0" : String(Int.random(in: 0...9, using: &rng))
            }
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: break
            case 1, 2:
                s += "."
                for _ in 0..<Int.random(in: 1...20, using: &rng) { s += String(Int.random(in: 0...9, using: &rng)) }
            default:
                s += ["e", "E", "e-", "e+"].randomElement(using: &rng) ?? "e"
                s += String(Int.random(in: 0...30, using: &rng))
            }
            check(s)
        }
    }
}
