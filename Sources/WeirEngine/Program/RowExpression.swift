import WeirFormats

/// Why an expression could not be evaluated for one record; the record goes to
/// the dead-letter topic with this message (built only on the error path).
public struct EvalError: Error, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// A compiled expression over a row. Implementations live in WeirPipelines (the
/// expression language) or are written by users of the Swift API.
///
/// Evaluation is synchronous and must not allocate on success: results that
/// need bytes (strings) are written to `row.arena`.
public protocol RowExpression: AnyObject {
    func evaluate(_ row: inout Row) throws(EvalError) -> Cell
}

extension Cell {
    /// Truthiness for filters: only `true` passes; null/missing/false drop the record.
    @inlinable public var isTrue: Bool {
        if case .bool(true) = self { return true }
        return false
    }
}
