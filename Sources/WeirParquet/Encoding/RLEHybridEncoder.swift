/// The RLE / bit-packing hybrid of the Parquet spec, used for definition and
/// repetition levels and for dictionary indices.
///
/// Runs of 8 or more equal values become RLE runs (header `count << 1`, the value
/// in ceil(width/8) bytes); everything else goes out in bit-packed groups of 8
/// (header `groups << 1 | 1`, values packed LSB first). A bit-packed tail is padded
/// with zeros: readers stop at the page's value count.
enum RLEHybridEncoder {
    /// A repeated run must be at least this long to be worth an RLE run.
    static let minRun = 8

    /// Appends the encoding of `values` (each < 2^width) to `out`.
    static func encode<C: RandomAccessCollection>(_ values: C, width: Int, into out: inout [UInt8])
    where C.Element: FixedWidthInteger, C.Index == Int {
        let n = values.count
        let start = values.startIndex
        if n == 0 { return }
        if width == 0 {
            // Every value is 0: a single RLE run with no value bytes.
            appendVarint(UInt64(n) << 1, to: &out)
            return
        }
        var i = 0
        while i < n {
            let run = runLength(values, start + i, end: start + n)
            if run >= minRun {
                appendVarint(UInt64(run) << 1, to: &out)
                appendRLEValue(UInt64(values[start + i]), width: width, to: &out)
                i += run
                continue
            }
            // A bit-packed stretch: whole groups of 8 until a long run starts.
            let headerAt = out.count
            out.append(0)  // placeholder for the header; rewritten below
            var groups = 0
            repeat {
                packGroup(values, from: start + i, end: start + n, width: width, into: &out)
                groups += 1
                i += 8
            } while i < n && groups < 63 && runLength(values, start + i, end: start + n) < minRun
            // With at most 63 groups the header (groups << 1 | 1) fits one byte.
            out[headerAt] = UInt8(groups << 1 | 1)
        }
    }

    @inline(__always)
    static func runLength<C: RandomAccessCollection>(_ values: C, _ from: Int, end: Int) -> Int
    where C.Element: FixedWidthInteger, C.Index == Int {
        let v = values[from]
        var j = from + 1
        while j < end && values[j] == v { j += 1 }
        return j - from
    }

    @inline(__always)
    static func packGroup<C: RandomAccessCollection>(_ values: C, from: Int, end: Int, width: Int, into out: inout [UInt8])
    where C.Element: FixedWidthInteger, C.Index == Int {
        var acc: UInt64 = 0
        var bits = 0
        for k in 0..<8 {
            let idx = from + k
            let v: UInt64 = idx < end ? UInt64(values[idx]) : 0
            acc |= v << UInt64(bits)
            bits += width
            while bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: acc))
                acc >>= 8
                bits -= 8
            }
            // width <= 32 and bits < 8 before the shift, so acc never overflows.
        }
        // 8 values of `width` bits are exactly `width` bytes: nothing remains.
    }

    @inline(__always)
    static func appendRLEValue(_ v: UInt64, width: Int, to out: inout [UInt8]) {
        let bytes = (width + 7) / 8
        for b in 0..<bytes { out.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * b))) }
    }
}

@inline(__always)
func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
    var v = value
    while v >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
}
