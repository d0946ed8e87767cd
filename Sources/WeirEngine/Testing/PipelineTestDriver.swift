import WeirFormats
import WeirKafka

/// Runs a compiled pipeline without Kafka, on a virtual clock, for unit
/// tests (`weir test`, and XCTest for people embedding Weir): push records,
/// move time, read what came out.
///
/// It drives the same `RecordChain` — decode, steps, keyed operator, encode —
/// that `weir run` runs in its Kafka tasks (and `FileJob` for file sources),
/// as one task owning every partition. A pipeline whose `keyBy` repartitions
/// runs both stages: the first stage's records go to the repartition
/// partition librdkafka's partitioner would pick, and its watermarks are
/// announced to the second stage after every step, as if it checkpointed
/// after each (docs/testing.md).
///
/// Each `push` is one poll batch of one record: the record is processed, then
/// time advances and due windows fire. `push(batch:)` processes several
/// before time advances. Processing time is `clock` (a `ManualClock`);
/// nothing sleeps. Not thread-safe: one thread drives it.
public final class PipelineTestDriver {
    public struct Options: Sendable {
        /// Partitions of each source topic (files, for a file source).
        public var partitions: Int
        /// Partitions of the repartition topic; default: `partitions` (as `weir run` creates it).
        public var repartitionPartitions: Int?
        /// Where the virtual clock starts (epoch ms).
        public var clockStartMs: Int64

        public init(partitions: Int = 1, repartitionPartitions: Int? = nil, clockStartMs: Int64 = 0) {
            self.partitions = partitions; self.repartitionPartitions = repartitionPartitions; self.clockStartMs = clockStartMs
        }
    }

    /// Processing time: processing-time windows and idle timeouts read it.
    public let clock: ManualClock
    /// Schemas of Avro inputs and outputs (the pipeline's output schema is registered here).
    public let registry: InMemorySchemaRegistry
    private var stages: [DriverStage]
    private var checkpoints: UInt64 = 0
    /// Parsed input schemas and their ids, by subject and text (parsed once per driver, not per record).
    private var avroSchemas: [String: (schema: AvroSchema, id: UInt32)] = [:]
    /// Counted over every stage (records: the first stage's input).
    public private(set) var counts = RecordChain.Counts()

    /// - Parameter jobs: the pipeline's jobs in order (`Pipeline.jobs`: the
    ///   repartition stage first); each later job reads what the one before writes.
    public init(jobs: [JobSpec], options: Options = Options(), registry: InMemorySchemaRegistry = InMemorySchemaRegistry()) throws {
        guard !jobs.isEmpty else { throw DriverError("no job to run") }
        guard options.partitions >= 1 && options.partitions <= 1024 else { throw DriverError("partitions must be 1 to 1024") }
        if let r = options.repartitionPartitions, !(1...1024).contains(r) { throw DriverError("repartitionPartitions must be 1 to 1024") }
        for (a, b) in zip(jobs, jobs.dropFirst()) where !b.source.topics.contains(a.sink.topic) {
            throw DriverError("job \(b.name) does not read what job \(a.name) writes")
        }
        clock = ManualClock(options.clockStartMs)
        self.registry = registry
        var built: [DriverStage] = []
        for (i, job) in jobs.enumerated() {
            var job = job
            job.formats.inProcessRegistry = registry   // no schema registry service: schemas live here
            let partitions = i == 0 ? options.partitions : options.repartitionPartitions ?? options.partitions
            let next = i + 1 < jobs.count ? options.repartitionPartitions ?? options.partitions : nil
            built.append(try DriverStage(job: job, partitions: partitions, forwardPartitions: next, clock: clock))
        }
        stages = built
    }

    // MARK: what came out

    /// Records written to the pipeline's sink, in order.
    public var outputs: [TestRecord] { stages[stages.count - 1].sink.output }
    /// Records sent to the dead-letter destination, by every stage, in order.
    public private(set) var deadLetters: [TestDeadLetter] = []
    /// Records too late for every window they belong to (as the late-data topic gets them).
    public private(set) var lateRecords: [TestRecord] = []

    /// Returns the outputs so far and forgets them.
    public func takeOutputs() -> [TestRecord] {
        stages[stages.count - 1].sink.takeOutput()
    }

    /// Returns a pattern's timed-out partial matches so far (its `timedOut` destination) and forgets them.
    public func takeTimedOut() -> [TestRecord] {
        let sink = stages[stages.count - 1].sink
        defer { sink.timedOutRecords = [] }
        return sink.timedOutRecords
    }

    /// Returns the dead letters and late records so far and forgets them.
    public func takeRejected() -> (deadLetters: [TestDeadLetter], late: [TestRecord]) {
        defer { deadLetters = []; lateRecords = [] }
        return (deadLetters, lateRecords)
    }

    // MARK: the pipeline's shape

    /// The source topics (empty for a file source).
    public var sourceTopics: [String] { stages[0].readsFiles ? [] : stages[0].topics }
    public var partitions: Int { stages[0].partitionCount }
    /// True when the pipeline reads files (each partition is one input file; `endOfInput` flushes as `weir run` does).
    public var readsFiles: Bool { stages[0].readsFiles }
    /// The stateful stage's time: event time (watermarks), processing time, or none.
    public var timeDomain: TimeDomain? {
        guard let stage = stages.last?.job.stateful else { return nil }
        return stage.timestamp == nil ? .processingTime : .eventTime
    }
    /// How far behind the newest event time the watermark trails (0 without event time).
    public var maxOutOfOrdernessMs: Int64 { stages[0].chain.watermarks.config.maxOutOfOrdernessMs }
    /// nil: partitions never go idle.
    public var idleTimeoutMs: Int64? { stages[0].chain.watermarks.config.idleTimeoutMs }
    /// A partition's watermark where the keyed operator judges it (Int64.min: none yet).
    public func watermark(partition: Int) -> Int64 { stages[stages.count - 1].chain.watermarks.watermark(partition: partition) }

    // MARK: input

    /// Pushes one record as one poll batch (then time advances and due windows fire).
    /// - Parameters:
    ///   - topic: one of the source topics; default the first.
    ///   - timestampMs: the Kafka timestamp; default the clock (what a producer stamps).
    public func push(value: [UInt8]?, key: [UInt8]? = nil, headers: [KafkaHeader] = [], topic: String? = nil,
                     partition: Int = 0, timestampMs: Int64? = nil) throws {
        try push(batch: [TestRecord(topic: topic ?? stages[0].topics[0], partition: partition, key: key, value: value,
                                    headers: headers, timestampMs: timestampMs ?? clock.now)])
    }

    /// Pushes a JSON text value.
    public func push(json: String, key: String? = nil, partition: Int = 0, timestampMs: Int64? = nil) throws {
        try push(value: Array(json.utf8), key: key.map { Array($0.utf8) }, partition: partition, timestampMs: timestampMs)
    }

    /// Pushes records as one poll batch: all are processed, then time advances.
    /// Offsets are assigned here (`topic` empty: the first source topic).
    public func push(batch: [TestRecord]) throws {
        let first = stages[0]
        var records: [(record: TestRecord, topicIndex: Int)] = []
        for var r in batch {
            if r.topic.isEmpty || first.readsFiles { r.topic = first.topics[0] }
            guard let t = first.topics.firstIndex(of: r.topic) else {
                throw DriverError("'\(r.topic)' is not a source topic of the pipeline (it reads \(first.topics.joined(separator: ", ")))")
            }
            guard r.partition >= 0 && r.partition < first.partitionCount else {
                throw DriverError("partition \(r.partition) does not exist: the source has \(first.partitionCount) (0 to \(first.partitionCount - 1))")
            }
            first.assignOffset(&r, topicIndex: t)
            records.append((r, t))
        }
        try run(0, records, announcement: nil)
    }

    // MARK: time

    /// Moves the watermark of one source partition (or of every one) to at
    /// least `watermarkMs`, as a record at `watermarkMs + maxOutOfOrderness`
    /// would, without a record; due windows fire.
    public func advanceWatermark(to watermarkMs: Int64, partition: Int? = nil, topic: String? = nil) throws {
        guard timeDomain != .processingTime else { throw DriverError("the pipeline runs in processing time: advance the clock instead") }
        let first = stages[0]
        let (t, parts) = try target(partition, topic)
        let (eventTime, overflow) = watermarkMs.addingReportingOverflow(maxOutOfOrdernessMs)
        for ti in t {
            for p in parts {
                first.chain.observeEventTime(partition: first.trackerIndex(topicIndex: ti, partition: p),
                                             eventTimeMs: overflow ? .max : eventTime, nowMs: clock.now)
            }
        }
        try run(0, [], announcement: nil)
    }

    /// A source partition goes idle, as after `idleTimeout` without records:
    /// it no longer holds the watermark back (behind a repartition topic, the
    /// second stage's) until its next record.
    public func markIdle(partition: Int, topic: String? = nil) throws {
        let first = stages[0]
        let (t, parts) = try target(partition, topic)
        for ti in t { for p in parts { first.chain.markIdle(first.trackerIndex(topicIndex: ti, partition: p)) } }
        try run(0, [], announcement: nil)
    }

    /// Processing time moves on by `ms`: processing-time windows that are
    /// due fire, and partitions quiet for their idle timeout go idle.
    public func advanceClock(byMs ms: Int64) throws {
        guard ms >= 0 else { throw DriverError("the clock does not go back") }
        clock.now += ms
        try run(0, [], announcement: nil)
    }

    /// End of input (`weir run` on files reaching their end, a stop with
    /// drain): every open window fires.
    public func endOfInput() throws {
        if stages[0].readsFiles { stages[0].forEachPartition { _, _, i in stages[0].chain.finishPartition(i) } }
        try run(0, [], announcement: nil)
        for s in stages {
            try s.chain.flush(sink: s.sink)
            collect(s)
        }
    }

    /// A checkpoint, then a crash: every stage's operator state and event
    /// time is checkpointed, the pipeline's chains are built afresh from its
    /// jobs and restored, and the next records go on from there. What comes
    /// out must not change.
    public func checkpointAndRestore() throws {
        guard !stages[0].readsFiles else { throw DriverError("a file job does not checkpoint: it runs to the end of its files") }
        checkpoints += 1
        for s in stages {
            add(try s.checkpointAndRestore(checkpointID: checkpoints, clock: clock))
        }
    }

    // MARK: state

    /// The names of the fields the keyed state is keyed by (empty: no keyed state).
    public var stateKeyFields: [String] { stages.last?.chain.op?.keyFieldNames ?? [] }

    /// One key's state through the queryable-state view (`GET /jobs/{id}/state`):
    /// one text per key field, each matched as a string or the number (boolean, null) it reads as.
    public func queryState(key: [String]) -> [StateEntry] {
        guard let op = stages.last?.chain.op else { return [] }
        let q = StateQuery(keys: StateQuery.candidates(key))
        q.answer(op.queryState(keys: q.keys))
        return q.entries
    }

    // MARK: Avro

    /// `json` as Confluent-framed Avro with `schema` (registered under `subject`), to push.
    public func avro(_ json: JSONValue, schema: String, subject: String) throws -> [UInt8] {
        let cacheKey = subject + "\u{0}" + schema
        let known: (schema: AvroSchema, id: UInt32)
        if let k = avroSchemas[cacheKey] {
            known = k
        } else {
            known = (try AvroSchema(parsing: schema), UInt32(try registry.registerBlocking(subject: subject, schema: schema, schemaType: nil)))
            avroSchemas[cacheKey] = known
        }
        guard let bytes = AvroRowEncoder.encode(json: json, schema: known.schema, schemaID: known.id) else {
            throw DriverError("the value does not fit the Avro schema")
        }
        return bytes
    }

    /// A Confluent-framed Avro value rendered as JSON text (with the schema of its frame); nil if it is not one.
    public func avroJSON(_ value: [UInt8]) -> String? {
        guard value.count > ConfluentFrame.headerSize, value[0] == ConfluentFrame.magicByte else { return nil }
        let decoder = AvroRowDecoder(fields: [], source: registry, renderWhole: true)
        var row = Row(slotCount: 0)
        do {
            try value.withUnsafeBytes { try decoder.decode($0, into: &row) }
        } catch {
            return nil
        }
        return row.string(decoder.renderedSpan)
    }

    // MARK: running

    /// One poll batch of stage `i`: its records, the announcement its first
    /// stage made after them, then time; what it wrote goes on to the next stage.
    private func run(_ i: Int, _ records: [(record: TestRecord, topicIndex: Int)], announcement: WatermarkAnnouncement?) throws {
        let s = stages[i]
        let nowMs = s.readsFiles ? 0 : clock.now   // a file is never idle by the clock (FileJob)
        for (r, t) in records {
            s.sink.current = r
            // FileJob's lines carry no Kafka timestamp.
            try withBytes(r.value) { value in
                try withBytes(r.key) { key in
                    try s.chain.process(value: value, key: key, kafkaTimestampMs: s.readsFiles ? nil : r.timestampMs,
                                        partition: s.trackerIndex(topicIndex: t, partition: r.partition), nowMs: nowMs, sink: s.sink)
                }
            }
            if s.readsFiles { try s.chain.advance(nowMs: nowMs, sink: s.sink) }   // FileJob advances after every line
        }
        s.sink.current = nil
        if let announcement {
            let bytes = announcement.encoded()
            for p in 0..<s.partitionCount {
                _ = bytes.withUnsafeBytes { s.chain.observeAnnouncement(partition: p, bytes: $0, nowMs: nowMs) }
            }
        }
        try s.chain.advance(nowMs: nowMs, sink: s.sink)
        collect(s)
        guard i + 1 < stages.count else { return }
        let forwarded = s.sink.takeOutput().map { (record: $0, topicIndex: stages[i + 1].topics.firstIndex(of: $0.topic) ?? 0) }
        try run(i + 1, forwarded, announcement: s.announcement())
    }

    private func collect(_ s: DriverStage) {
        add(s.chain.takeCounts(), first: s === stages[0])
        deadLetters += s.sink.deadLetters
        lateRecords += s.sink.lateRecords
        s.sink.deadLetters = []
        s.sink.lateRecords = []
    }

    private func add(_ c: RecordChain.Counts, first: Bool = false) {
        if first { counts.records += c.records }
        counts.emitted += c.emitted
        counts.filtered += c.filtered
        counts.deadLettered += c.deadLettered
        counts.late += c.late
    }

    private func target(_ partition: Int?, _ topic: String?) throws -> ([Int], [Int]) {
        let first = stages[0]
        var topics = Array(first.topics.indices)
        if let topic {
            guard let t = first.topics.firstIndex(of: topic) else { throw DriverError("'\(topic)' is not a source topic of the pipeline") }
            topics = [t]
        }
        guard let partition else { return (topics, Array(0..<first.partitionCount)) }
        guard partition >= 0 && partition < first.partitionCount else {
            throw DriverError("partition \(partition) does not exist: the source has \(first.partitionCount) (0 to \(first.partitionCount - 1))")
        }
        return (topics, [partition])
    }

    private func withBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        guard let bytes else { return try body(nil) }
        return try bytes.withUnsafeBytes { try body($0) }
    }
}
