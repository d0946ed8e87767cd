/// Everything the writer can refuse or fail at.
public enum ParquetError: Error, Equatable, CustomStringConvertible {
    /// The schema cannot be written (empty, bad decimal precision, ...).
    case invalidSchema(String)
    /// A value or call does not fit the column or the writer's state.
    case invalidUse(String)
    case compression(String)
    /// Writing the output failed (errno text).
    case io(String)

    public var description: String {
        switch self {
        case .invalidSchema(let m): "invalid Parquet schema: \(m)"
        case .invalidUse(let m): "invalid use of the Parquet writer: \(m)"
        case .compression(let m): "Parquet compression failed: \(m)"
        case .io(let m): "writing Parquet failed: \(m)"
        }
    }
}
