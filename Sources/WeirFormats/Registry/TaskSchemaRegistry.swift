/// What a task needs of a schema registry: writer schemas by id (to decode
/// Avro) and registering its output schema (at start). The HTTP client is
/// one; `InMemorySchemaRegistry` is the other, for runs without any service
/// (`weir test`, `PipelineTestDriver`).
public protocol TaskSchemaRegistry: AvroSchemaSource {
    /// Registers (or finds) `schema` under `subject`; returns its id. Blocking.
    func registerBlocking(subject: String, schema: String, schemaType: String?) throws(SchemaRegistryError) -> Int
}

extension SchemaRegistryClient: TaskSchemaRegistry {}
