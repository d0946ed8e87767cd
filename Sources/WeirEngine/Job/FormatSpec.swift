import WeirFormats

/// What a job needs beyond JSON: the schema registry, the source's reader
/// schema and required fields, the sink's output schema. Compiled from the
/// pipeline file (docs/avro.md, docs/pipelines.md).
public struct FormatSpec {
    /// Where schemas live; nil: none configured (then Avro and JSON Schema
    /// formats fail at start with that reason, unless the runtime supplies one).
    public var registry: SchemaRegistryConfig?
    /// A registry in this process, used instead of `registry` (`weir test`,
    /// `PipelineTestDriver`: Avro without any service).
    public var inProcessRegistry: (any TaskSchemaRegistry)?
    /// The source's reader schema (`source.schema`); nil reads each record with its writer schema.
    public var readerSchema: AvroSchema?
    /// Fields every record must have (`source.required`): a record where one
    /// is missing or null goes to the dead-letter topic. Slots are input slots.
    public var required: [(name: String, slot: Int)]
    /// The sink's schema (`sink.schema`), for `avro` and `json-schema` output.
    public var output: OutputSchema?
    /// How the sink's subject is named when the schema is derived (window and
    /// reduce results without `sink.schema`); a given schema carries its own.
    public var subjectStrategy: SubjectNameStrategy = .topic

    public init(registry: SchemaRegistryConfig? = nil, readerSchema: AvroSchema? = nil,
                required: [(name: String, slot: Int)] = [], output: OutputSchema? = nil) {
        self.registry = registry; self.readerSchema = readerSchema; self.required = required; self.output = output
    }
}

/// The output record's schema and where each of its fields comes from.
public struct OutputSchema {
    public enum Kind: String, Sendable { case avro = "AVRO", jsonSchema = "JSON" }
    public var kind: Kind
    /// The schema text registered under the output subject.
    public var text: String
    /// Parsed, for Avro.
    public var avro: AvroSchema?
    public var subjectStrategy: SubjectNameStrategy
    /// Output field name → row slot (Avro output); fields absent here take their default.
    public var slots: [String: Int]

    public init(kind: Kind, text: String, avro: AvroSchema? = nil, subjectStrategy: SubjectNameStrategy = .topic, slots: [String: Int] = [:]) {
        self.kind = kind; self.text = text; self.avro = avro; self.subjectStrategy = subjectStrategy; self.slots = slots
    }

    /// The record's full name, for the record-name subject strategies.
    public var recordName: String? {
        if let avro, case .record(let r) = avro.root { return r.fullName }
        if kind == .jsonSchema, case .string(let title)? = (try? JSONValue.parse(text))?["title"] { return title }
        return nil
    }
}
