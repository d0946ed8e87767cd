/// A version of a partial match (Flink's `DeweyNumber`, from the SASE+ paper):
/// digits like 1.0.2. Branching a partial match increases the last digit;
/// moving to a new stage appends a digit. A shared-buffer edge belongs to a
/// partial match when the match's version is *compatible* with the edge's:
/// it extends it (the edge's digits are a prefix), or has the same length and
/// the same digits but a last digit at least as large.
///
/// Digits are stored in an array: a new version allocates (once per taken
/// event or branch, never per condition test).
public struct DeweyNumber: Equatable, Sendable, CustomStringConvertible {
    public private(set) var digits: [Int32]

    public init(_ digits: [Int32]) { self.digits = digits }
    public init(start: Int32) { digits = [start] }
    static let empty = DeweyNumber([])

    public var length: Int { digits.count }

    /// The last digit increased by `n`.
    public func increased(_ n: Int) -> DeweyNumber {
        guard n != 0, let last = digits.last else { return self }
        var d = digits
        d[d.count - 1] = last &+ Int32(truncatingIfNeeded: n)
        return DeweyNumber(d)
    }

    /// A new stage: a 0 digit appended.
    public func addingStage() -> DeweyNumber {
        var d = digits
        d.append(0)
        return DeweyNumber(d)
    }

    /// Whether a partial match of this version may follow an edge of version `other`.
    public func isCompatible(with other: DeweyNumber) -> Bool {
        let a = digits, b = other.digits
        if a.count > b.count {
            for i in 0..<b.count where a[i] != b[i] { return false }
            return true
        }
        guard a.count == b.count, !a.isEmpty else { return a.isEmpty && b.isEmpty }
        let lastIndex = a.count - 1
        for i in 0..<lastIndex where a[i] != b[i] { return false }
        return a[lastIndex] >= b[lastIndex]
    }

    public var description: String { digits.map(String.init).joined(separator: ".") }
}
