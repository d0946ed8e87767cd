import Foundation
import WeirFormats
import WeirKafka

/// The chain's sink inside a Kafka task: output, dead letters and late data
/// are all produced by the task's producer, so they commit or abort together
/// with the offsets (exactly-once), or are acknowledged before the checkpoint
/// that covers them (at-least-once).
final class KafkaTaskSink: ChainSink {
    private let producer: KafkaProducer
    /// The sink topic; nil when output goes to files.
    private let out: KafkaTopicHandle?
    /// A files sink: output rows go to part files committed with the checkpoint
    /// (dead letters and late data still go to their topics, in the transaction).
    let files: FilesSinkWriter?
    /// Whose output follows (`outputPartition`): files keep partitions apart.
    @exclusivity(unchecked) private var partition = 0
    /// Rows the files sink refused (dead-lettered, or dropped when no input
    /// record is at hand): the chain counted them as emitted; the task corrects that.
    var fileRowsRefused = 0
    private let deadLetters: KafkaTopicHandle?
    private let lateData: KafkaTopicHandle?
    private let timedOutTopic: KafkaTopicHandle?
    private let pipeline: [UInt8]
    private let keepsInputTimestamp: Bool
    /// The record being processed; valid only inside the poll callback.
    var current: KafkaMessage?
    /// While the previous checkpoint commits in the background, output is held
    /// here and produced into the next transaction (`release`).
    var holding = false
    private(set) var held = PendingOutput()
    /// Bytes written to the sink topic since the task last took them.
    var bytesOut = 0
    /// Dead-lettered records since the task last took them (at most a few per publication).
    var deadLetterSamples: [DeadLetterSample] = []

    init(producer: KafkaProducer, job: JobSpec, files: FilesSinkWriter? = nil) throws {
        self.producer = producer
        self.files = files
        out = files == nil ? try producer.topic(job.sink.topic) : nil
        deadLetters = try job.deadLetterTopic.map { try producer.topic($0) }
        lateData = try job.stateful?.lateDataTopic.map { try producer.topic($0) }
        timedOutTopic = try job.stateful?.timedOut?.topic.map { try producer.topic($0) }
        pipeline = Array(job.name.utf8)
        keepsInputTimestamp = job.sink.keepsInputTimestamp
    }

    var wantsKeys: Bool { files == nil }
    var splitsByPartition: Bool { files != nil }
    @inline(__always) func outputPartition(_ partition: Int) { self.partition = partition }

    var takesRows: Bool { files != nil }
    var wantsEncodedRows: Bool { files?.spec.format == .json }

    /// An output row for the files sink. Not held while a commit is in flight:
    /// new rows go to new in-progress files, which belong to the next checkpoint anyway.
    @inline(__always)
    func emit(row: Row, encoded: UnsafeRawBufferPointer?) throws {
        guard let files else { return }
        do {
            guard partition >= 0 else {
                throw FileSinkError(.io, "a files sink needs every row's input partition; this output has none (processing-time windows are not supported with it)")
            }
            try files.write(row: row, encoded: encoded, partition: partition)
        } catch let e as FileSinkError where e.kind == .record {
            fileRowsRefused += 1
            try deadLetter(ProcessingError(.encode, e.message))
            return
        }
        bytesOut &+= encoded?.count ?? 0
    }

    @inline(__always)
    func emit(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws {
        if files != nil {   // the chain hands a files sink rows (`takesRows`), never bytes
            throw FileSinkError(.io, "internal error: the files sink was given encoded bytes instead of a row")
        }
        guard let out else { return }
        let ts = keepsInputTimestamp ? current.map(\.timestamp) ?? -1 : -1
        bytesOut &+= value.count + (key?.count ?? 0)
        if holding { held.append(.output, key: key, value: value, timestampMs: ts); return }
        if ts >= 0 {
            try producer.produce(out, key: key, value: value, timestampMs: ts)
        } else {
            try producer.produce(out, key: key, value: value)
        }
    }

    /// Produces what was held, in order, and stops holding.
    func release() throws {
        holding = false
        try held.drain { destination, key, value, timestampMs, headers in
            let topic: KafkaTopicHandle?
            switch destination {
            case .output: topic = out
            case .deadLetter: topic = deadLetters
            case .lateData: topic = lateData
            case .timedOut: topic = timedOutTopic
            }
            guard let topic else { return }
            if timestampMs >= 0 {
                try producer.produce(topic, key: key, value: value, timestampMs: timestampMs)
            } else {
                try producer.produce(topic, key: key, value: value, headers: headers)
            }
        }
    }

    /// Forgets what was held (its transaction is aborted) and stops holding.
    func discardHeld() {
        holding = false
        held.removeAll()
    }

    /// Original key, value and headers, plus what went wrong and where it came from.
    func deadLetter(_ error: ProcessingError) throws {
        guard let msg = current else { return }
        // Kept for GET /jobs/{id}/dead-letters (a rare path: the copy is fine here).
        if deadLetterSamples.count < TaskMetrics.deadLetterSamples {
            let value = msg.value.map { [UInt8]($0.prefix(DeadLetterSample.previewBytes)) } ?? []
            deadLetterSamples.append(DeadLetterSample(
                timestampMs: Int64(Date().timeIntervalSince1970 * 1000), errorClass: error.kind.rawValue, reason: error.message,
                topic: msg.topic, partition: msg.partition, offset: msg.offset, preview: value, valueBytes: msg.value?.count ?? 0))
        }
        guard let topic = deadLetters else { return }   // no dead-letter topic: counted only
        let headers = RecordOriginHeaders.error(error) + origin(msg) + msg.headers()
        if holding { held.append(.deadLetter, key: msg.key, value: msg.value, headers: headers); return }
        try producer.produce(topic, key: msg.key, value: msg.value, headers: headers)
    }

    func late() throws {
        guard let topic = lateData, let msg = current else { return }
        if holding { held.append(.lateData, key: msg.key, value: msg.value, headers: origin(msg) + msg.headers()); return }
        try producer.produce(topic, key: msg.key, value: msg.value, headers: origin(msg) + msg.headers())
    }

    /// Timed-out partial matches are results, like output rows: keyed, no origin headers.
    func timedOut(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws {
        guard let topic = timedOutTopic else { return }
        bytesOut &+= value.count + (key?.count ?? 0)
        if holding { held.append(.timedOut, key: key, value: value); return }
        try producer.produce(topic, key: key, value: value)
    }

    private func origin(_ msg: KafkaMessage) -> [KafkaHeader] {
        RecordOriginHeaders.origin(topic: msg.topic, partition: msg.partition, offset: msg.offset, pipeline: pipeline)
    }
}
