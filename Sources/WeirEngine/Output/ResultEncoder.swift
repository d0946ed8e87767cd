import WeirFormats

/// How a stateful job's result rows become record values: JSON, or
/// Confluent-framed Avro — with the sink's own schema (`sink.schema`, fields
/// matched by name) or one derived from the operator (`ResultSchema`). The
/// Avro schema is registered when the encoder is made, at task start: the
/// per-row path only encodes.
final class ResultEncoder {
    private let json: JSONRowEncoder?
    private let layout: JSONOutputLayout
    private let derived: AvroResultEncoder?
    private let given: AvroRowEncoder?

    /// Registers the Avro schema (blocking: call on the task's own thread).
    init(job: JobSpec, operator op: any Operator) throws(ProcessingError) {
        layout = JSONOutputLayout(op.outputLayout)
        switch job.sink.format {
        case .json:
            json = JSONRowEncoder(); derived = nil; given = nil
        case .jsonSchema:
            throw ProcessingError(.encode, "window and reduce results cannot be written as json-schema yet; use json or avro")
        case .avro:
            json = nil
            let registry: any TaskSchemaRegistry
            if let inProcess = job.formats.inProcessRegistry {
                registry = inProcess
            } else {
                guard let config = job.formats.registry else {
                    throw ProcessingError(.unavailable, "format avro needs a schema registry: set schemaRegistry.url")
                }
                do { registry = try SchemaRegistryClients.shared(config) }
                catch { throw ProcessingError(.unavailable, "\(error)") }
            }
            if let out = job.formats.output, let schema = out.avro {
                let id = try Self.register(schema.text, subject: out.subjectStrategy.subject(topic: job.sink.topic, recordName: out.recordName), registry)
                // Fields of the given schema take the same-named result field; the others their default.
                var slots: [String: Int] = [:]
                for f in op.outputLayout { slots[f.name] = f.slot }
                do { given = try AvroRowEncoder(schema: schema, schemaID: id, slots: slots) }
                catch { throw ProcessingError(.encode, "\(error)") }
                derived = nil
            } else {
                let schema: AvroResultSchema
                do { schema = try ResultSchema.derive(job: job, operator: op) }
                catch { throw ProcessingError(.encode, "the results' Avro schema: \(error)") }
                let recordName: String? = if case .record(let r) = schema.schema.root { r.fullName } else { nil }
                let id = try Self.register(schema.text, subject: job.formats.subjectStrategy.subject(topic: job.sink.topic, recordName: recordName), registry)
                derived = AvroResultEncoder(schema: schema, slots: op.outputLayout.map(\.slot), schemaID: id)
                given = nil
            }
        }
    }

    private static func register(_ text: String, subject: String, _ registry: any TaskSchemaRegistry) throws(ProcessingError) -> UInt32 {
        do { return UInt32(truncatingIfNeeded: try registry.registerBlocking(subject: subject, schema: text, schemaType: nil)) }
        catch { throw ProcessingError(error.kind == .unavailable ? .unavailable : .encode, "registering the results' schema: \(error)") }
    }

    /// The row's bytes; valid until the next call.
    @inline(__always)
    func encode(_ row: Row) throws(EncodeError) -> UnsafeRawBufferPointer {
        if let derived { return try derived.encode(row: row) }
        if let given { return try given.encode(row: row) }
        if let json { return try json.encodeProjected(row: row, layout: layout) }
        throw EncodeError(.generator, "no encoder")   // unreachable: init sets one
    }
}
