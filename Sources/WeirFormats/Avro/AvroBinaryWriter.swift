/// Avro binary primitives into a reusable buffer (zig-zag varints,
/// little-endian floats, length-prefixed bytes). Tracks memory failure
/// instead of trapping.
struct AvroBinaryWriter {
    var buffer = RawGrowableBuffer<UInt8>()
    var ok = true

    /// Starts a record: empties the buffer and writes the Confluent frame
    /// (magic byte, big-endian schema id) the Avro body follows.
    mutating func startFrame(schemaID: UInt32) {
        buffer.removeAll()
        ok = true
        byte(ConfluentFrame.magicByte)
        byte(UInt8(truncatingIfNeeded: schemaID >> 24)); byte(UInt8(truncatingIfNeeded: schemaID >> 16))
        byte(UInt8(truncatingIfNeeded: schemaID >> 8)); byte(UInt8(truncatingIfNeeded: schemaID))
    }

    @inline(__always) mutating func byte(_ b: UInt8) { ok = buffer.append(b) && ok }

    mutating func bytes(_ p: UnsafePointer<UInt8>, _ n: Int) {
        ok = buffer.append(contentsOf: p, count: n) && ok
    }

    mutating func bytes(_ a: [UInt8]) {
        a.withUnsafeBufferPointer { b in if let p = b.baseAddress { bytes(p, b.count) } }
    }

    @inline(__always) mutating func long(_ v: Int64) {
        var n = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        while n >= 0x80 { byte(UInt8(truncatingIfNeeded: n) | 0x80); n >>= 7 }
        byte(UInt8(truncatingIfNeeded: n))
    }

    mutating func float(_ f: Float) {
        var bits = f.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes($0.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self), 4) }   // a local's address
    }

    mutating func double(_ d: Double) {
        var bits = d.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes($0.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self), 8) }
    }

    /// Length prefix and bytes.
    mutating func lengthPrefixed(_ p: UnsafePointer<UInt8>, _ n: Int) {
        long(Int64(n))
        bytes(p, n)
    }

    /// Two's-complement big-endian bytes of an unscaled decimal, shortest form (`size`: exactly that many).
    mutating func decimal(_ v: Int128, size: Int?) -> Bool {
        var n = 16
        if let size {
            guard size >= 1 else { return false }
            // fits in `size` bytes?
            if size < 16 {
                let limit = Int128(1) << (8 * size - 1)
                guard v >= -limit && v < limit else { return false }
            }
            n = size
        } else {
            while n > 1 {
                let top = UInt8(truncatingIfNeeded: v >> (8 * (n - 1)))
                let next = UInt8(truncatingIfNeeded: v >> (8 * (n - 2)))
                if (top == 0 && next < 0x80) || (top == 0xFF && next >= 0x80) { n -= 1 } else { break }
            }
            long(Int64(n))
        }
        var i = n - 1
        while i >= 0 {
            byte(i >= 16 ? (v < 0 ? 0xFF : 0) : UInt8(truncatingIfNeeded: v >> (8 * i)))
            i -= 1
        }
        return true
    }
}
