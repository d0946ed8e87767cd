#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Min, max and null count of a column chunk, in the order the format defines
/// for each type: signed for integers (dates, timestamps and decimals too), IEEE
/// order without NaN for floats, unsigned bytewise for strings and binaries.
struct ColumnStatistics {
    var nullCount: Int64 = 0
    /// False until a value (other than NaN) was seen.
    var hasValues = false
    var minInt: Int64 = 0, maxInt: Int64 = 0
    var minWide: Int128 = 0, maxWide: Int128 = 0
    var minDouble: Double = 0, maxDouble: Double = 0
    var minBytes: [UInt8] = [], maxBytes: [UInt8] = []

    mutating func reset() {
        nullCount = 0
        hasValues = false
        minBytes.removeAll(keepingCapacity: true)
        maxBytes.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    mutating func update(_ v: Int64) {
        if !hasValues { minInt = v; maxInt = v; hasValues = true; return }
        if v < minInt { minInt = v }
        if v > maxInt { maxInt = v }
    }

    @inline(__always)
    mutating func update(_ v: Int128) {
        if !hasValues { minWide = v; maxWide = v; hasValues = true; return }
        if v < minWide { minWide = v }
        if v > maxWide { maxWide = v }
    }

    /// NaN is left out of min/max: it has no place in the order (the spec asks
    /// writers to skip it), so a column of only NaN has no min/max.
    @inline(__always)
    mutating func update(_ v: Double) {
        if v.isNaN { return }
        if !hasValues { minDouble = v; maxDouble = v; hasValues = true; return }
        if v < minDouble { minDouble = v }
        if v > maxDouble { maxDouble = v }
    }

    mutating func update(_ v: UnsafeRawBufferPointer) {
        if !hasValues {
            minBytes.removeAll(keepingCapacity: true); minBytes.append(contentsOf: v)
            maxBytes.removeAll(keepingCapacity: true); maxBytes.append(contentsOf: v)
            hasValues = true
            return
        }
        if Self.compareUnsigned(v, minBytes) < 0 {
            minBytes.removeAll(keepingCapacity: true); minBytes.append(contentsOf: v)
        } else if Self.compareUnsigned(v, maxBytes) > 0 {
            maxBytes.removeAll(keepingCapacity: true); maxBytes.append(contentsOf: v)
        }
    }

    /// Bytewise unsigned comparison, a shorter prefix first.
    static func compareUnsigned(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Int {
        b.withUnsafeBytes { b in
            let n = min(a.count, b.count)
            if n > 0, let pa = a.baseAddress, let pb = b.baseAddress {
                let c = memcmp(pa, pb, n)
                if c != 0 { return Int(c) }
            }
            return a.count - b.count
        }
    }

    /// The footer's Statistics, min/max plain-encoded for `kind`.
    func metadata(for kind: ValueKind) -> StatisticsMetadata {
        guard hasValues else { return StatisticsMetadata(nullCount: nullCount) }
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        switch kind {
        case .boolean:
            return StatisticsMetadata(nullCount: nullCount, minValue: [UInt8(minInt)], maxValue: [UInt8(maxInt)])
        case .int32, .decimal(physical: .int32, _, _):
            return StatisticsMetadata(nullCount: nullCount, minValue: le(Int32(truncatingIfNeeded: minInt)),
                                      maxValue: le(Int32(truncatingIfNeeded: maxInt)))
        case .int64, .decimal(physical: .int64, _, _):
            return StatisticsMetadata(nullCount: nullCount, minValue: le(minInt), maxValue: le(maxInt))
        case .decimal(_, let width, _):
            return StatisticsMetadata(nullCount: nullCount, minValue: bigEndian(minWide, width: width),
                                      maxValue: bigEndian(maxWide, width: width))
        case .float, .double:
            // The spec: a zero minimum is written as -0.0 and a zero maximum as +0.0,
            // so readers that compare either sign still include every zero.
            let lo = minDouble == 0 ? -0.0 : minDouble
            let hi = maxDouble == 0 ? 0.0 : maxDouble
            if case .float = kind {
                return StatisticsMetadata(nullCount: nullCount, minValue: le(Float(lo).bitPattern), maxValue: le(Float(hi).bitPattern))
            }
            return StatisticsMetadata(nullCount: nullCount, minValue: le(lo.bitPattern), maxValue: le(hi.bitPattern))
        case .byteArray:
            return StatisticsMetadata(nullCount: nullCount, minValue: minBytes, maxValue: maxBytes)
        }
    }
}

/// `v` as `width` bytes of big-endian two's complement (FIXED_LEN_BYTE_ARRAY decimals).
func bigEndian(_ v: Int128, width: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: width)
    appendBigEndian(v, width: width, into: &out, at: 0)
    return out
}

@inline(__always)
func appendBigEndian(_ v: Int128, width: Int, into out: inout [UInt8], at start: Int) {
    let u = UInt128(bitPattern: v)
    for i in 0..<width {
        let shift = 8 * (width - 1 - i)
        // Bytes above the 16 of an Int128 repeat its sign.
        out[start + i] = shift >= 128 ? (v < 0 ? 0xFF : 0) : UInt8(truncatingIfNeeded: u >> UInt128(shift))
    }
}
