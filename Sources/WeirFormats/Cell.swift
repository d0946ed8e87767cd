/// One decoded field of a record, as the per-record path sees it.
///
/// Cells never own heap memory: text and raw JSON fragments are spans into the
/// row's arena, so a row can be reused record after record without allocating.
public enum Cell: Equatable, Sendable {
    case missing              // the path was not present in the record
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(ByteSpan)     // UTF-8 text in Row.arena
    case json(ByteSpan)       // an object or array, as its original JSON text in Row.arena

    @inlinable public var isNullish: Bool {
        switch self { case .missing, .null: return true; default: return false }
    }
}

/// A byte range inside `Row.arena`.
public struct ByteSpan: Equatable, Sendable {
    public var start: Int32
    public var count: Int32
    @inlinable public init(start: Int32, count: Int32) { self.start = start; self.count = count }
    @inlinable public init(start: Int, count: Int) { self.start = Int32(truncatingIfNeeded: start); self.count = Int32(truncatingIfNeeded: count) }
}
