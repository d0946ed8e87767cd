import XCTest
@testable import WeirEngine

/// Dewey versions keep up to `inlineCapacity` digits inline and spill longer
/// ones into an array: both forms must behave as the plain digit list.
final class DeweyNumberTests: XCTestCase {
    /// The rules on plain arrays, as the type had them before inline storage.
    private func compatible(_ a: [Int32], _ b: [Int32]) -> Bool {
        if a.count > b.count { return Array(a.prefix(b.count)) == b }
        guard a.count == b.count, !a.isEmpty else { return a.isEmpty && b.isEmpty }
        return Array(a.dropLast()) == Array(b.dropLast()) && a.last! >= b.last!
    }

    func testGrowsPastInlineCapacityAndKeepsItsDigits() {
        var v = DeweyNumber(start: 1)
        var ref: [Int32] = [1]
        for i in 0..<(DeweyNumber.inlineCapacity * 3) {
            v = v.addingStage(); ref.append(0)
            v = v.increased(i % 3); ref[ref.count - 1] += Int32(i % 3)
            XCTAssertEqual(v.digits, ref)
            XCTAssertEqual(v.length, ref.count)
            XCTAssertEqual(v, DeweyNumber(ref))
            XCTAssertEqual(v.description, ref.map(String.init).joined(separator: "."))
        }
    }

    func testIncreasedLeavesTheOriginal() {
        let short = DeweyNumber([1, 0, 2])
        XCTAssertEqual(short.increased(2).digits, [1, 0, 4])
        XCTAssertEqual(short.digits, [1, 0, 2])
        let long = DeweyNumber(Array(repeating: 1, count: DeweyNumber.inlineCapacity + 2))
        XCTAssertEqual(long.increased(1).digits.last, 2)
        XCTAssertEqual(long.digits.last, 1)
        XCTAssertEqual(DeweyNumber.empty.increased(3), DeweyNumber.empty)
    }

    func testCompatibilityAsOnDigitArrays() {
        // every pair of short versions over a small alphabet, around the inline boundary
        var all: [[Int32]] = [[]]
        for d in [Int32(0), 1, 2] { all.append([d]) }
        for a in [Int32(1), 2] { for b in [Int32(0), 1] { all.append([a, b]); all.append([a, b, 0]) } }
        let n = DeweyNumber.inlineCapacity
        for tail in [Int32(0), 1, 2] {
            all.append(Array(repeating: 1, count: n - 1) + [tail])
            all.append(Array(repeating: 1, count: n) + [tail])
            all.append(Array(repeating: 1, count: n + 1) + [tail])
        }
        for a in all {
            for b in all {
                XCTAssertEqual(DeweyNumber(a).isCompatible(with: DeweyNumber(b)), compatible(a, b), "\(a) vs \(b)")
                XCTAssertEqual(DeweyNumber(a) == DeweyNumber(b), a == b)
            }
        }
    }
}
