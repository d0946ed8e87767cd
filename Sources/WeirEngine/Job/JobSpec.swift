import WeirFormats

/// A job, validated and compiled: what a pipeline file (or the Swift API) becomes.
public struct JobSpec {
    public enum StartFrom: String, Sendable { case earliest, latest }
    public enum Format: String, Sendable { case json, avro, jsonSchema = "json-schema" }

    /// Where records come from: Kafka topics (the task loop, `Job`) or files
    /// (`FileJob`, bounded input).
    public struct Source {
        public enum Kind {
            case kafka(topics: [String], group: String, startFrom: StartFrom)
            /// JSON-lines files, one partition each, in order; `-` is stdin.
            case files([String])
        }
        public var kind: Kind
        public var format: Format

        /// A Kafka source.
        public init(topics: [String], group: String, startFrom: StartFrom = .earliest, format: Format = .json) {
            kind = .kafka(topics: topics, group: group, startFrom: startFrom); self.format = format
        }

        /// A file source.
        public init(files: [String], format: Format = .json) {
            kind = .files(files); self.format = format
        }

        /// The Kafka topics; empty for a file source.
        public var topics: [String] {
            if case .kafka(let t, _, _) = kind { return t }
            return []
        }

        /// The consumer group of a Kafka source (empty for a file source; setting it there does nothing).
        public var group: String {
            get { if case .kafka(_, let g, _) = kind { return g } else { return "" } }
            set { if case .kafka(let t, _, let s) = kind { kind = .kafka(topics: t, group: newValue, startFrom: s) } }
        }

        /// Where a Kafka source starts without a checkpoint (file sources always read from the start).
        public var startFrom: StartFrom {
            if case .kafka(_, _, let s) = kind { return s }
            return .earliest
        }

        /// The input files of a file source; nil for Kafka.
        public var files: [String]? {
            if case .files(let f) = kind { return f }
            return nil
        }
    }

    /// Where results go.
    public struct Sink {
        public enum Kind: Equatable {
            case kafka(topic: String)
            /// JSON lines appended to a file created (or truncated) at start; `-` is stdout.
            case file(String)
            case stdout
            /// Results are counted and dropped (benchmarks).
            case discard
            /// Part files (Parquet or JSON lines) under a directory, partitioned,
            /// rolled and made visible exactly once (docs/parquet.md, "The files sink").
            case files(FilesSinkSpec)
        }
        public var kind: Kind
        public var format: Format
        /// What a Kafka sink promises when a task fails (the other kinds ignore it).
        public var deliveryGuarantee: DeliveryGuarantee
        /// Produced records carry the Kafka timestamp of the input record they
        /// come from (repartition topics: event time from the Kafka timestamp
        /// survives the shuffle, as in Kafka Streams). Otherwise the producer stamps them.
        public var keepsInputTimestamp = false

        /// A Kafka sink.
        public init(topic: String, format: Format = .json, deliveryGuarantee: DeliveryGuarantee = .exactlyOnce) {
            kind = .kafka(topic: topic); self.format = format; self.deliveryGuarantee = deliveryGuarantee
        }
        public init(_ kind: Kind, format: Format = .json) { self.kind = kind; self.format = format; deliveryGuarantee = .exactlyOnce }

        /// The Kafka topic; empty for the other kinds. Only Kafka jobs read it:
        /// the loader refuses a Kafka source with a non-Kafka sink and vice versa.
        public var topic: String {
            if case .kafka(let t) = kind { return t }
            return ""
        }

        public var isKafka: Bool { if case .kafka = kind { return true } else { return false } }

        /// The files sink's settings; nil for the other kinds.
        public var files: FilesSinkSpec? { if case .files(let f) = kind { return f } else { return nil } }
    }

    /// Where dead letters or late records go: a topic (Kafka jobs) or a file (file jobs).
    public enum Destination: Equatable, Sendable {
        case topic(String)
        case file(String)

        public var topic: String? { if case .topic(let t) = self { return t } else { return nil } }
        public var file: String? { if case .file(let f) = self { return f } else { return nil } }
    }

    /// The keyed, stateful part after the stateless steps (window or reduce).
    public struct StatefulStage {
        /// Where event time comes from; nil for processing time (the operator
        /// stamps records with its clock and no watermark is tracked).
        public var timestamp: TimestampExtractor?
        public var watermark: WatermarkConfig
        /// One operator per task (operators are not thread-safe).
        public var makeOperator: () throws -> any Operator
        /// Where records too late for every window go (nil: counted only).
        public var lateData: Destination?
        /// Where a pattern's timed-out partial matches go (nil: counted only, or flagged in the output).
        public var timedOut: Destination?
        /// Output slots of the key fields, for the output message key.
        public var keySlots: [Int]
        /// What input slots (key fields, aggregate inputs) can hold, as far as
        /// the pipeline's types tell; a slot not listed can hold anything. The
        /// Avro schema of the results is derived from it (`ResultSchema`).
        public var inputKinds: [Int: CellKinds] = [:]
        /// The result fields' types when the compiler knows better than this
        /// stage's input kinds: behind a repartition topic (JSON) the reader
        /// schema and `required` of the source are gone, but the values are the same.
        public var resultTypes: [ResultFieldType]?
        /// Behind a repartition topic: a partition's watermark is what the first
        /// stage announces (`UpstreamWatermarks`), not its records' event times.
        public var watermarksFromUpstream = false

        public init(timestamp: TimestampExtractor?, watermark: WatermarkConfig, keySlots: [Int],
                    lateDataTopic: String? = nil, makeOperator: @escaping () throws -> any Operator) {
            self.timestamp = timestamp; self.watermark = watermark; self.keySlots = keySlots
            self.lateData = lateDataTopic.map(Destination.topic); self.makeOperator = makeOperator
        }

        /// The late-data topic of a Kafka job.
        public var lateDataTopic: String? {
            get { lateData?.topic }
            set { lateData = newValue.map(Destination.topic) }
        }
    }

    public var name: String
    public var source: Source
    public var program: RecordProgram
    public var sink: Sink
    /// Where records that cannot be processed go; nil = counted and skipped.
    public var deadLetter: Destination?
    public var parallelism: Int
    public var stateful: StatefulStage?
    /// Registry, schemas and required fields for non-JSON formats (FormatSpec.swift).
    public var formats: FormatSpec
    /// The first stage of a repartitioned event-time pipeline: track each
    /// source partition's watermark with this config (event time from the
    /// repartition key's time field, else the Kafka timestamp) and announce
    /// them to every partition of the sink topic at each checkpoint
    /// (`WatermarkAnnouncement`).
    public var watermarkAnnouncements: WatermarkConfig?

    public init(name: String, source: Source, program: RecordProgram, sink: Sink,
                deadLetterTopic: String? = nil, parallelism: Int = 2, stateful: StatefulStage? = nil,
                formats: FormatSpec = FormatSpec()) {
        self.name = name; self.source = source; self.program = program; self.sink = sink
        self.deadLetter = deadLetterTopic.map(Destination.topic); self.parallelism = parallelism; self.stateful = stateful
        self.formats = formats
    }

    /// The dead-letter topic of a Kafka job.
    public var deadLetterTopic: String? {
        get { deadLetter?.topic }
        set { deadLetter = newValue.map(Destination.topic) }
    }

    /// True when the job reads files (run by `FileJob`, not the Kafka task loop).
    public var readsFiles: Bool { source.files != nil }

    /// Every topic the job reads or writes (for `weir dev` to create).
    public var topics: [String] {
        var t = source.topics
        if case .kafka(let out) = sink.kind { t.append(out) }
        if let d = deadLetterTopic { t.append(d) }
        if let l = stateful?.lateDataTopic { t.append(l) }
        if let o = stateful?.timedOut?.topic { t.append(o) }
        return t
    }
}
