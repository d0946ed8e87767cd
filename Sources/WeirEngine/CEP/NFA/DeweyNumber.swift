/// A version of a partial match (Flink's `DeweyNumber`, from the SASE+ paper):
/// digits like 1.0.2. Branching a partial match increases the last digit;
/// moving to a new stage appends a digit. A shared-buffer edge belongs to a
/// partial match when the match's version is *compatible* with the edge's:
/// it extends it (the edge's digits are a prefix), or has the same length and
/// the same digits but a last digit at least as large.
///
/// Up to `inlineCapacity` digits are stored inline, so making a version
/// allocates nothing (a new one was made per taken event and branch, each an
/// array). A version grows by one digit per event its match takes: only
/// longer ones (loops such as `oneOrMore` taking many events) spill into an array.
public struct DeweyNumber: Sendable, CustomStringConvertible {
    static let inlineCapacity = 6
    private var count: Int32
    private var inline: (Int32, Int32, Int32, Int32, Int32, Int32) = (0, 0, 0, 0, 0, 0)
    /// Every digit when `count > inlineCapacity`; empty otherwise.
    private var spill: [Int32] = []

    public init(_ digits: [Int32]) {
        count = Int32(truncatingIfNeeded: digits.count)
        if digits.count > Self.inlineCapacity {
            spill = digits
        } else {
            for (i, d) in digits.enumerated() { setInline(i, d) }
        }
    }

    public init(start: Int32) {
        count = 1
        inline.0 = start
    }

    static let empty = DeweyNumber([])

    public var length: Int { Int(count) }

    public var digits: [Int32] { (0..<length).map { self[$0] } }

    @inline(__always) subscript(i: Int) -> Int32 {
        if count > Self.inlineCapacity { return spill[i] }
        return withUnsafeBytes(of: inline) { $0.load(fromByteOffset: i &* 4, as: Int32.self) }
    }

    @inline(__always) private mutating func setInline(_ i: Int, _ d: Int32) {
        withUnsafeMutableBytes(of: &inline) { $0.storeBytes(of: d, toByteOffset: i &* 4, as: Int32.self) }
    }

    /// The last digit increased by `n`.
    public func increased(_ n: Int) -> DeweyNumber {
        guard n != 0, count > 0 else { return self }
        var v = self
        let last = Int(count) - 1
        let d = self[last] &+ Int32(truncatingIfNeeded: n)
        if count > Self.inlineCapacity { v.spill[last] = d } else { v.setInline(last, d) }
        return v
    }

    /// A new stage: a 0 digit appended.
    public func addingStage() -> DeweyNumber {
        var v = self
        if Int(count) < Self.inlineCapacity {
            v.setInline(Int(count), 0)
        } else if Int(count) == Self.inlineCapacity {
            v.spill = digits + [0]
        } else {
            v.spill.append(0)
        }
        v.count += 1
        return v
    }

    /// Whether a partial match of this version may follow an edge of version `other`.
    public func isCompatible(with other: DeweyNumber) -> Bool {
        let a = Int(count), b = Int(other.count)
        if a > b {
            for i in 0..<b where self[i] != other[i] { return false }
            return true
        }
        guard a == b, a > 0 else { return a == 0 && b == 0 }
        let lastIndex = a - 1
        for i in 0..<lastIndex where self[i] != other[i] { return false }
        return self[lastIndex] >= other[lastIndex]
    }

    public var description: String { digits.map(String.init).joined(separator: ".") }
}

extension DeweyNumber: Equatable {
    public static func == (a: DeweyNumber, b: DeweyNumber) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.length where a[i] != b[i] { return false }
        return true
    }
}
