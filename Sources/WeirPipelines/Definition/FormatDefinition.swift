import WeirEngine
import WeirFormats

/// What a pipeline says about formats beyond their names: the registry
/// (`schemaRegistry`), the source's reader schema and required fields, the
/// sink's schema and subject strategy.
public struct FormatDefinition {
    public var registry: SchemaRegistryConfig?
    public var readerSchema: AvroSchema?
    public var required: [Located<String>] = []
    public var output: OutputSchema?
    /// `sink.subjectStrategy` (also in `output` when a schema is given).
    public var subjectStrategy = SubjectNameStrategy.topic
    /// Where `sink.schema` was written (for diagnostics at compile time).
    public var outputLocation: SourceLocation?

    public init() {}
}
