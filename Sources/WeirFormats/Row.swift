/// The flat, reusable record of the per-record path: one cell per field the
/// pipeline reads or computes (its slots), plus one arena holding their bytes.
///
/// A task owns one Row and `reset()`s it for every record; the arrays keep
/// their capacity, so steady state allocates nothing.
public struct Row {
    public var cells: [Cell]
    public var arena: [UInt8]

    public init(slotCount: Int, arenaCapacity: Int = 4096) {
        cells = Array(repeating: .missing, count: slotCount)
        arena = []
        arena.reserveCapacity(arenaCapacity)
    }

    @inlinable public mutating func reset() {
        for i in cells.indices { cells[i] = .missing }
        arena.removeAll(keepingCapacity: true)
    }

    /// Copies bytes into the arena and returns their span.
    @inlinable public mutating func store(_ bytes: UnsafeRawBufferPointer) -> ByteSpan {
        let start = arena.count
        arena.append(contentsOf: bytes)
        return ByteSpan(start: start, count: bytes.count)
    }

    @inlinable public mutating func store<S: Sequence>(_ bytes: S) -> ByteSpan where S.Element == UInt8 {
        let start = arena.count
        arena.append(contentsOf: bytes)
        return ByteSpan(start: start, count: arena.count - start)
    }

    /// Calls `body` with the bytes of a span (valid only inside `body`).
    @inlinable public func withBytes<R>(_ span: ByteSpan, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try arena.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[Int(span.start)..<Int(span.start) + Int(span.count)]))
        }
    }

    /// The text of a span as a Swift String (allocates: for tests, errors and the control plane).
    public func string(_ span: ByteSpan) -> String {
        withBytes(span) { String(decoding: $0, as: UTF8.self) }
    }
}
