/// The sum used by `sum` and `avg`: an exact scaled-decimal sum when every
/// input is a short decimal, with a compensated (Neumaier) double sum beside
/// it as the fallback.
///
/// A double `x` counts as the decimal `m / 10^s` when `m = round(x·10^s)` and
/// `m / 10^s == x` in double arithmetic, i.e. `x` is the double nearest to that
/// decimal — exactly what parsing a JSON number like `12.34` produced. Such
/// inputs are summed exactly as integer units of `10^-s` (the scale grows to
/// the longest input, up to 15 digits); the result `units / 10^s` is then the
/// double nearest to the true decimal sum, so it prints as the exact decimal
/// (`12345.67`, never `12345.670000000002`). Ints are decimals of scale 0, so
/// an all-int sum stays an exact Int64. When an input is no short decimal, or
/// the units would overflow Int64, the result is the compensated double sum.
///
/// Words (in the window's accumulator): flags, units, scale, neumaier sum,
/// neumaier compensation, count of inputs.
enum ExactSum {
    static let width = 6
    static let sawDouble: UInt64 = 1, inexact: UInt64 = 2

    static let pow10: [Double] = (0...15).map { var p = 1.0; for _ in 0..<$0 { p *= 10 }; return p }
    static let pow10i: [Int64] = (0...18).map { var p: Int64 = 1; for _ in 0..<$0 { p *= 10 }; return p }

    @inline(__always)
    static func addInt(_ v: Int64, _ acc: inout [UInt64], _ b: Int) {
        var flags = acc[b]
        if flags & inexact == 0 {
            let scale = Int(acc[b + 2])
            let (scaled, o1) = v.multipliedReportingOverflow(by: pow10i[scale])
            let (sum, o2) = Int64(bitPattern: acc[b + 1]).addingReportingOverflow(scaled)
            if o1 || o2 { flags |= inexact } else { acc[b + 1] = UInt64(bitPattern: sum) }
        }
        acc[b] = flags
        neumaier(Double(v), &acc, b)
        acc[b + 5] &+= 1
    }

    @inline(__always)
    static func addDouble(_ x: Double, _ acc: inout [UInt64], _ b: Int) {
        var flags = acc[b] | sawDouble
        if flags & inexact == 0 {
            let scale = Int(acc[b + 2])
            var s = scale
            var placed = false
            while s <= 15 {
                // Round half away from zero by truncation (one instruction, where
                // `rounded()` was a libm call); a wrong neighbour fails the check below.
                let y = x * pow10[s]
                guard y.magnitude < 9.0e15 else { break }
                let m = Double(Int64(y + (y < 0 ? -0.5 : 0.5)))
                if m / pow10[s] == x {
                    var units = Int64(bitPattern: acc[b + 1])
                    var ok = true
                    if s > scale {
                        let (u, o) = units.multipliedReportingOverflow(by: pow10i[s - scale])
                        units = u; ok = !o
                    }
                    if ok {
                        let (u, o) = units.addingReportingOverflow(Int64(m))
                        units = u; ok = !o
                    }
                    if ok {
                        acc[b + 1] = UInt64(bitPattern: units)
                        acc[b + 2] = UInt64(s)
                        placed = true
                    }
                    break
                }
                s += 1
            }
            if !placed { flags |= inexact }
        }
        acc[b] = flags
        neumaier(x, &acc, b)
        acc[b + 5] &+= 1
    }

    @inline(__always)
    static func neumaier(_ x: Double, _ acc: inout [UInt64], _ b: Int) {
        let sum = Double(bitPattern: acc[b + 3])
        var comp = Double(bitPattern: acc[b + 4])
        let t = sum + x
        if sum.magnitude >= x.magnitude { comp += (sum - t) + x } else { comp += (x - t) + sum }
        acc[b + 3] = t.bitPattern
        acc[b + 4] = comp.bitPattern
    }

    /// Folds the sum at `from` into the one at `into` (session merges).
    static func merge(from f: Int, into b: Int, _ acc: inout [UInt64]) {
        var flags = acc[b] | acc[f]
        if flags & inexact == 0 {
            var u1 = Int64(bitPattern: acc[b + 1]), s1 = Int(acc[b + 2])
            var u2 = Int64(bitPattern: acc[f + 1]), s2 = Int(acc[f + 2])
            var ok = true
            if s1 < s2 { let (u, o) = u1.multipliedReportingOverflow(by: pow10i[s2 - s1]); u1 = u; ok = !o; s1 = s2 }
            if s2 < s1 { let (u, o) = u2.multipliedReportingOverflow(by: pow10i[s1 - s2]); u2 = u; ok = ok && !o; s2 = s1 }
            let (u, o) = u1.addingReportingOverflow(u2)
            if ok && !o { acc[b + 1] = UInt64(bitPattern: u); acc[b + 2] = UInt64(s1) } else { flags |= inexact }
        }
        acc[b] = flags
        neumaier(Double(bitPattern: acc[f + 3]), &acc, b)
        let comp = Double(bitPattern: acc[b + 4]) + Double(bitPattern: acc[f + 4])
        acc[b + 4] = comp.bitPattern
        acc[b + 5] &+= acc[f + 5]
    }

    static func count(_ acc: [UInt64], _ b: Int) -> Int64 { Int64(bitPattern: acc[b + 5]) }

    /// The sum: nil with no inputs; an int while exact and all inputs were ints.
    @inline(__always)
    static func sum(_ acc: [UInt64], _ b: Int) -> (int: Int64?, double: Double)? {
        guard acc[b + 5] > 0 else { return nil }
        let flags = acc[b]
        let units = Int64(bitPattern: acc[b + 1])
        if flags & inexact == 0 {
            if flags & sawDouble == 0 { return (units, Double(units)) }
            if units.magnitude <= 1 << 53 { return (nil, Double(units) / pow10[Int(acc[b + 2])]) }
        }
        return (nil, Double(bitPattern: acc[b + 3]) + Double(bitPattern: acc[b + 4]))
    }

    /// The mean, correctly rounded from the exact sum when it is exact.
    @inline(__always)
    static func average(_ acc: [UInt64], _ b: Int) -> Double? {
        let n = acc[b + 5]
        guard n > 0 else { return nil }
        let flags = acc[b]
        let units = Int64(bitPattern: acc[b + 1])
        if flags & inexact == 0 && units.magnitude <= 1 << 53 {
            let denominator = pow10[Int(acc[b + 2])] * Double(n)
            if denominator <= 9_007_199_254_740_992 { return Double(units) / denominator }
        }
        return (Double(bitPattern: acc[b + 3]) + Double(bitPattern: acc[b + 4])) / Double(n)
    }
}
