/// What one field of an operator's result rows can hold: the source of the
/// Avro schema derived for them (`AvroResultSchema`).
public enum ResultFieldType: Equatable, Sendable {
    /// A single cell of these kinds.
    case cells(CellKinds)
    /// Epoch milliseconds, never null (window bounds).
    case timestampMillis
    /// A JSON array (in a `.json` cell) whose items are of these kinds (`collect`).
    case list(CellKinds)
}
