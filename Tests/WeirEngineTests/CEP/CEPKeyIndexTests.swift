import XCTest
@testable import WeirEngine

/// The CEP operator's key index against a Dictionary: short keys (compared
/// inline) and long ones (compared through their slot's key), growth, and
/// removals anywhere in a probe run.
final class CEPKeyIndexTests: XCTestCase {
    func testBehavesAsADictionary() {
        var rng = SystemRandomNumberGenerator()
        var index = CEPKeyIndex(capacity: 4)
        var reference: [[UInt8]: Int32] = [:]
        var keyBySlot: [Int32: [UInt8]] = [:]
        var nextSlot: Int32 = 0
        func keyOf(_ s: Int32) -> [UInt8]? { keyBySlot[s] }
        // a small key space, so the same keys come and go many times; lengths around 8 and 16
        let lengths = [0, 1, 7, 8, 9, 15, 16, 17, 40]
        for _ in 0..<40_000 {
            let n = lengths[Int.random(in: 0..<lengths.count, using: &rng)]
            let key = (0..<n).map { _ in UInt8.random(in: 0...2, using: &rng) }
            let found = key.withUnsafeBytes { index.find($0, keyOf: keyOf) }
            XCTAssertEqual(found, reference[key])
            if let s = found, Bool.random(using: &rng) {
                XCTAssertTrue(key.withUnsafeBytes { index.remove($0, keyOf: keyOf) })
                reference[key] = nil
                keyBySlot[s] = nil
            } else if found == nil {
                key.withUnsafeBytes { index.insert($0, slot: nextSlot) }
                reference[key] = nextSlot
                keyBySlot[nextSlot] = key
                nextSlot += 1
            }
            XCTAssertEqual(index.count, reference.count)
        }
        for (k, s) in reference { XCTAssertEqual(k.withUnsafeBytes { index.find($0, keyOf: keyOf) }, s) }
        XCTAssertFalse([UInt8](repeating: 9, count: 3).withUnsafeBytes { index.remove($0, keyOf: keyOf) })
    }

    func testKeysThatDifferOnlyInLengthOrPadding() {
        var index = CEPKeyIndex()
        let keys: [[UInt8]] = [[], [0], [0, 0], [0, 0, 0, 0, 0, 0, 0, 0], Array(repeating: 0, count: 16), Array(repeating: 0, count: 17)]
        for (i, k) in keys.enumerated() { k.withUnsafeBytes { index.insert($0, slot: Int32(i)) } }
        for (i, k) in keys.enumerated() { XCTAssertEqual(k.withUnsafeBytes { index.find($0) { keys[Int($0)] } }, Int32(i)) }
    }
}
