@testable import WeirParquet

/// A small decoder of the RLE/bit-packed hybrid, written from the spec for the
/// tests only, so the encoder is checked by something other than itself.
func decodeRLEHybrid(_ bytes: [UInt8], width: Int, count: Int) -> [UInt32]? {
    var out: [UInt32] = []
    var i = 0
    func varint() -> UInt64? {
        var v: UInt64 = 0, shift: UInt64 = 0
        while i < bytes.count {
            let b = bytes[i]; i += 1
            v |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return v }
            shift += 7
        }
        return nil
    }
    while out.count < count {
        guard let header = varint() else { return nil }
        if header & 1 == 0 {
            let run = Int(header >> 1)
            var v: UInt32 = 0
            for b in 0..<((width + 7) / 8) {
                guard i < bytes.count else { return nil }
                v |= UInt32(bytes[i]) << (8 * UInt32(b)); i += 1
            }
            out.append(contentsOf: repeatElement(v, count: run))
        } else {
            let values = Int(header >> 1) * 8
            var bit = 0
            let start = i
            for _ in 0..<values {
                var v: UInt32 = 0
                for k in 0..<width {
                    let byte = start + (bit + k) / 8
                    guard byte < bytes.count else { return nil }
                    if bytes[byte] >> UInt8((bit + k) % 8) & 1 == 1 { v |= 1 << UInt32(k) }
                }
                bit += width
                out.append(v)
            }
            i = start + values * width / 8
        }
    }
    return i == bytes.count ? Array(out.prefix(count)) : nil
}
