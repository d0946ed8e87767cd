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
    /// `deadLetter:` — a topic (Kafka jobs) or a file (file jobs).
    public var deadLetter: DestinationDefinition?
    /// nil: the service's default parallelism.
    public var parallelism: Int?
    /// `time:` — event or processing time for window and reduce steps.
    public var time: TimeDefinition?
    /// `lateData:` — where records too late for every window go.
    public var lateData: DestinationDefinition?
    /// `checkpoint: {interval: …}` in ms; nil: the default (5 s).
    public var checkpointIntervalMs: Int64? = nil
    /// `restart:`; nil: the default (fixed delay, 3 attempts, 10 s).
    public var restart: RestartStrategy? = nil
    /// Registry, schemas, required fields (FormatDefinition.swift).
    public var formats = FormatDefinition()

    /// The dead-letter topic, when it is one.
    public var deadLetterTopic: Located<String>? { deadLetter?.topic }
}

/// `deadLetter:` / `lateData:` — `{topic: name}` or `{file: path}`.
public enum DestinationDefinition {
    case topic(Located<String>)
    case file(Located<String>)

    public var topic: Located<String>? { if case .topic(let t) = self { return t } else { return nil } }
    public var location: SourceLocation {
        switch self { case .topic(let t), .file(let t): return t.location }
    }
    var engine: JobSpec.Destination {
        switch self {
        case .topic(let t): return .topic(t.value)
        case .file(let f): return .file(f.value)
        }
    }
}

/// Where records come from (`source:`).
public struct SourceDefinition {
    public enum Kind {
        case kafka(KafkaSourceDefinition)
        case file(FileSourceDefinition)
    }
    public var kind: Kind
    public var format: JobSpec.Format
    public var location: SourceLocation

    public var isFile: Bool { if case .file = kind { return true } else { return false } }
}

/// `source.file`: JSON-lines files, one partition each (`-` is stdin).
public struct FileSourceDefinition {
    public var paths: [Located<String>]
}

public struct KafkaSourceDefinition {
    /// One or more topics (`topic:` or `topics:`).
    public var topics: [Located<String>]
    /// Consumer group; defaults to the pipeline name.
    public var group: String
    /// Where to start when no checkpoint exists.
    public var startFrom: JobSpec.StartFrom
    /// `keyedBy`: the record fields the producer keyed the topic by (its
    /// message key). A `keyBy` on these fields needs no repartition topic.
    public var keyedBy: [Located<String>] = []
}

/// Where results go (`sink:`).
public struct SinkDefinition {
    public enum Kind {
        case kafka(KafkaSinkDefinition)
        /// JSON lines to a file (`-` is stdout).
        case file(Located<String>)
        case stdout
        /// Count and drop (benchmarks).
        case discard
        /// Part files under a directory, partitioned and rolled (Parquet or JSON lines).
        case files(FilesSinkDefinition)
    }
    public var kind: Kind
    public var format: JobSpec.Format
    public var location: SourceLocation
}

/// `sink.files` as written (docs/parquet.md); compiled by `FilesSinkBinding`.
public struct FilesSinkDefinition {
    public var path: Located<String>
    public var format: FilesSinkSpec.Format = .parquet
    /// Name and expression over the output row, per directory level.
    public var partitionBy: [(name: Located<String>, expression: PipelineExpression)] = []
    public var rollBytes: Int64 = 128 << 20
    public var rollIntervalMs: Int64?
    public var rowGroupBytes = 64 << 20
    public var compression: FilesSinkSpec.Compression = .zstd
    /// Declared columns; nil: derived from the pipeline's result types.
    public var columns: [(Located<String>, FilesSinkSpec.ColumnType)]?
    public var location: SourceLocation
}

public struct KafkaSinkDefinition {
    public var topic: Located<String>
    /// Expression for the message key; nil keeps the input record's key.
    public var key: PipelineExpression?
    /// `deliveryGuarantee:`; exactly-once unless the file says otherwise.
    public var deliveryGuarantee: DeliveryGuarantee = .exactlyOnce
}
