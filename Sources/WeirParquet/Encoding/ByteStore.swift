#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A growable byte buffer for a page's values: appends of a few bytes are a
/// bounds check and a store, without Array's uniqueness check and generic
/// append path (which cost more than the value itself on the hot path).
final class ByteStore {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = max(capacity, 16)
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    func removeAll() { count = 0 }

    @inline(__always)
    private func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private func grow(_ needed: Int) {
        var c = capacity * 2
        while c < needed { c *= 2 }
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: c, alignment: 16)
        fresh.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = fresh
        capacity = c
    }

    @inline(__always)
    func append<T: FixedWidthInteger>(littleEndian v: T) {
        reserve(MemoryLayout<T>.size)
        base.storeBytes(of: v.littleEndian, toByteOffset: count, as: T.self)
        count += MemoryLayout<T>.size
    }

    @inline(__always)
    func append(_ b: UnsafeRawBufferPointer) {
        let n = b.count
        guard n > 0, let src = b.baseAddress else { return }
        reserve(n)
        if n <= 16 {
            // Short values: a byte loop beats a call to memcpy.
            var i = 0
            while i < n { (base + count + i).storeBytes(of: src.load(fromByteOffset: i, as: UInt8.self), as: UInt8.self); i += 1 }
        } else {
            (base + count).copyMemory(from: src, byteCount: n)
        }
        count += n
    }

    @inline(__always)
    func append(byte: UInt8) {
        reserve(1)
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    /// ORs `bits` into the last byte (bit-packed booleans).
    @inline(__always)
    func orLast(_ bits: UInt8) {
        guard count > 0 else { return }
        let p = base + count - 1
        p.storeBytes(of: p.load(as: UInt8.self) | bits, as: UInt8.self)
    }
}
