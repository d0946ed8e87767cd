import WeirEngine

/// A pipeline file as read and checked by `PipelineLoader`, before it is
/// compiled to a `JobSpec`. Values keep their place in the file.
public struct PipelineDefinition {
    public var file: String
    /// Job name: `[a-zA-Z0-9._-]+`; also the default consumer group.
    public var name: Located<String>
    public var source: SourceDefinition
    public var steps: [StepDefinition]
    public var sink: SinkDefinition
    public var deadLetterTopic: Located<String>?
    /// nil: the service's default parallelism.
    public var parallelism: Int?
    /// Registry, schemas, required fields (FormatDefinition.swift).
    public var formats = FormatDefinition()
}

/// Where records come from (`source:`).
public struct SourceDefinition {
    public enum Kind {
        case kafka(KafkaSourceDefinition)
    }
    public var kind: Kind
    public var format: JobSpec.Format
    public var location: SourceLocation
}

public struct KafkaSourceDefinition {
    /// One or more topics (`topic:` or `topics:`).
    public var topics: [Located<String>]
    /// Consumer group; defaults to the pipeline name.
    public var group: String
    /// Where to start when no checkpoint exists.
    public var startFrom: JobSpec.StartFrom
}

/// Where results go (`sink:`).
public struct SinkDefinition {
    public enum Kind {
        case kafka(KafkaSinkDefinition)
    }
    public var kind: Kind
    public var format: JobSpec.Format
    public var location: SourceLocation
}

public struct KafkaSinkDefinition {
    public var topic: Located<String>
    /// Expression for the message key; nil keeps the input record's key.
    public var key: PipelineExpression?
}
