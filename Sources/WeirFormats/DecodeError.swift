/// Why a record could not be decoded. Bad input is data: the engine routes the
/// record to the dead-letter topic with this error, it never traps.
public struct DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case syntax          // not JSON: bad token, trailing garbage, several values, number out of range
        case invalidUTF8     // a string or key holds bytes that are not UTF-8
        case truncated       // the input ended inside the document
        case duplicateKey    // a key repeated in one object (checked where the pipeline can observe it)
        case tooDeep         // nesting beyond JSONLimits.maxDepth
        case tooLarge        // payload beyond JSONLimits.maxBytes
        case notAnObject     // the top-level value is not an object
        case empty           // no bytes, or only whitespace
        case badFrame        // Confluent framing required but absent, or its header cut short
        case invalidData     // Avro: bad union/enum index, negative length, varint too long, trailing bytes
        case unknownSchema   // Avro: the frame's schema id is not in the registry
        case schemaMismatch  // Avro: the writer's schema cannot be read with the pipeline's reader schema
        case registryUnavailable  // the schema registry could not be reached (not the record's fault)
    }

    public var kind: Kind
    /// Byte offset into the bytes given to `decode` (frame included) where the problem was seen.
    public var offset: Int
    public var message: String

    public init(_ kind: Kind, offset: Int, _ message: String) {
        self.kind = kind; self.offset = offset; self.message = message
    }

    public var description: String { "\(kind.rawValue) at byte \(offset): \(message)" }
}
