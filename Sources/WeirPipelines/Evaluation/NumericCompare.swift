/// Exact comparison of integers with decimals (converting the integer to
/// Double would make 2^53 + 1 equal to 2^53).
enum NumericCompare {
    /// -1, 0 or 1 as `i` is less than, equal to or greater than `d` (d finite).
    static func compare(_ i: Int64, _ d: Double) -> Int {
        if d.isNaN { return 1 }
        if d >= 0x1p63 { return -1 }
        if d < -0x1p63 { return 1 }
        let floor = d.rounded(.down)
        let f = Int64(floor)
        if i < f { return -1 }
        if i > f { return 1 }
        return d > floor ? -1 : 0
    }

    @inline(__always)
    static func compare(_ a: Int64, _ b: Int64) -> Int { a < b ? -1 : (a == b ? 0 : 1) }

    @inline(__always)
    static func compare(_ a: Double, _ b: Double) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
}
