/// Why one record could not be processed. Goes into the dead-letter record's
/// headers (`weir.error.class`, `weir.error.message`) and the metrics.
public struct ProcessingError: Error, Sendable {
    public enum Kind: String, Sendable {
        case decode          // the bytes are not a record in the source format
        case missingValue    // tombstone / empty value
        case expression      // an expression failed (type mismatch, overflow, ...)
        case encode          // the output could not be encoded
        case timestamp       // no usable event time
        case missingField    // a field the pipeline requires is missing or null
        case unavailable     // a service the record needs (the schema registry) cannot be reached: not the record's fault
    }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
}
