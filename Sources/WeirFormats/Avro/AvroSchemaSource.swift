/// Where a decoder finds writer schemas by id: the schema registry client,
/// or a fixed table in tests.
///
/// Called once per unknown id per decoder, on the decoding thread, which is
/// a task's own OS thread (never Swift's cooperative pool): an implementation
/// may block there for a bounded time (the registry client does, for one
/// HTTP request with timeouts and retries).
public protocol AvroSchemaSource: AnyObject, Sendable {
    /// Throws `.unknownSchema` for an id the registry does not have, and
    /// `.registryUnavailable` when it cannot be asked.
    func schema(id: UInt32) throws(DecodeError) -> AvroSchema
}

/// Schemas held in memory (tests, and pipelines pinned to known schemas).
public final class StaticSchemaSource: AvroSchemaSource, @unchecked Sendable {   // immutable after init
    private let schemas: [UInt32: AvroSchema]
    public init(_ schemas: [UInt32: AvroSchema]) { self.schemas = schemas }
    public func schema(id: UInt32) throws(DecodeError) -> AvroSchema {
        guard let s = schemas[id] else { throw DecodeError(.unknownSchema, offset: 1, "schema id \(id) is not registered") }
        return s
    }
}
