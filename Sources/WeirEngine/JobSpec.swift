import WeirFormats

/// A job, validated and compiled: what a pipeline file (or the Swift API) becomes.
public struct JobSpec {
    public enum StartFrom: String, Sendable { case earliest, latest }
    public enum Format: String, Sendable { case json }

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

    public var name: String
    public var source: Source
    public var program: RecordProgram
    public var sink: Sink
    /// Where records that cannot be processed go; nil = counted and skipped.
    public var deadLetterTopic: String?
    public var parallelism: Int

    public init(name: String, source: Source, program: RecordProgram, sink: Sink,
                deadLetterTopic: String? = nil, parallelism: Int = 2) {
        self.name = name; self.source = source; self.program = program; self.sink = sink
        self.deadLetterTopic = deadLetterTopic; self.parallelism = parallelism
    }

    /// Every topic the job reads or writes (for `weir dev` to create).
    public var topics: [String] {
        var t = source.topics + [sink.topic]
        if let d = deadLetterTopic { t.append(d) }
        return t
    }
}
