import WeirFormats

/// A job, validated and compiled: what a pipeline file (or the Swift API) becomes.
public struct JobSpec {
    public enum StartFrom: String, Sendable { case earliest, latest }
    public enum Format: String, Sendable { case json, avro, jsonSchema = "json-schema" }

    public struct Source {
        public var topics: [String]
        public var group: String
        public var startFrom: StartFrom
        public var format: Format
        public init(topics: [String], group: String, startFrom: StartFrom = .earliest, format: Format = .json) {
            self.topics = topics; self.group = group; self.startFrom = startFrom; self.format = format
        }
    }

    public struct Sink {
        public var topic: String
        public var format: Format
        public init(topic: String, format: Format = .json) { self.topic = topic; self.format = format }
    }

    /// The keyed, stateful part after the stateless steps (window or reduce).
    public struct StatefulStage {
        public var timestamp: TimestampExtractor
        public var watermark: WatermarkConfig
        /// One operator per task (operators are not thread-safe).
        public var makeOperator: () throws -> any Operator
        /// Where records too late for every window go (nil: counted only).
        public var lateDataTopic: String?
        /// Output slots of the key fields, for the output message key.
        public var keySlots: [Int]
        public init(timestamp: TimestampExtractor, watermark: WatermarkConfig, keySlots: [Int],
                    lateDataTopic: String? = nil, makeOperator: @escaping () throws -> any Operator) {
            self.timestamp = timestamp; self.watermark = watermark; self.keySlots = keySlots
            self.lateDataTopic = lateDataTopic; self.makeOperator = makeOperator
        }
    }

    public var name: String
    public var source: Source
    public var program: RecordProgram
    public var sink: Sink
    /// Where records that cannot be processed go; nil = counted and skipped.
    public var deadLetterTopic: String?
    public var parallelism: Int
    public var stateful: StatefulStage?
    /// Registry, schemas and required fields for non-JSON formats (FormatSpec.swift).
    public var formats: FormatSpec

    public init(name: String, source: Source, program: RecordProgram, sink: Sink,
                deadLetterTopic: String? = nil, parallelism: Int = 2, stateful: StatefulStage? = nil,
                formats: FormatSpec = FormatSpec()) {
        self.name = name; self.source = source; self.program = program; self.sink = sink
        self.deadLetterTopic = deadLetterTopic; self.parallelism = parallelism; self.stateful = stateful
        self.formats = formats
    }

    /// Every topic the job reads or writes (for `weir dev` to create).
    public var topics: [String] {
        var t = source.topics + [sink.topic]
        if let d = deadLetterTopic { t.append(d) }
        if let l = stateful?.lateDataTopic { t.append(l) }
        return t
    }
}
