import WeirKafka

/// The chain's sink in the test driver: what a Kafka task would produce
/// (output, dead letters with Weir's headers, late records), kept in memory.
/// Output of a first stage is routed to the repartition topic's partition
/// the producer's partitioner would pick, for the next stage to read.
final class DriverSink: ChainSink {
    private let pipeline: [UInt8]
    private let stage: String
    private let outputTopic: String
    /// Partitions of the output topic when the next stage reads it (nil: the pipeline's sink).
    private let forwardPartitions: Int?
    private let keepsInputTimestamp: Bool
    let wantsKeys: Bool
    private let clock: ManualClock
    /// The record being processed; set by the driver before each.
    var current: TestRecord?

    var output: [TestRecord] = []
    var deadLetters: [TestDeadLetter] = []
    var lateRecords: [TestRecord] = []
    /// Timed-out partial matches of a pattern (`StatefulStage.timedOut`).
    var timedOutRecords: [TestRecord] = []
    private let timedOutTopic: String
    /// Offsets of the output topic's partitions written so far.
    private var offsets: [Int: Int64] = [:]

    init(job: JobSpec, forwardPartitions: Int?, clock: ManualClock) {
        pipeline = Array(job.name.utf8)
        stage = job.name
        outputTopic = job.sink.topic
        timedOutTopic = job.stateful?.timedOut?.topic ?? job.stateful?.timedOut?.file ?? ""
        self.forwardPartitions = forwardPartitions
        keepsInputTimestamp = job.sink.keepsInputTimestamp
        wantsKeys = !job.readsFiles
        self.clock = clock
    }

    func emit(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws {
        let k = key.map { [UInt8]($0) }
        let partition = forwardPartitions.map { ConsistentPartitioner.partition(key: k, count: $0) } ?? 0
        let offset = offsets[partition, default: 0]
        offsets[partition] = offset + 1
        let ts = keepsInputTimestamp ? current?.timestampMs ?? clock.now : clock.now
        output.append(TestRecord(topic: outputTopic, partition: partition, offset: offset, key: k, value: [UInt8](value), timestampMs: ts))
    }

    func deadLetter(_ error: ProcessingError) throws {
        guard var r = current else { return }
        r.headers = RecordOriginHeaders.error(error) + origin(r) + r.headers
        deadLetters.append(TestDeadLetter(record: r, errorClass: error.kind, message: error.message, stage: stage))
    }

    func timedOut(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws {
        timedOutRecords.append(TestRecord(topic: timedOutTopic, offset: Int64(timedOutRecords.count), key: key.map { [UInt8]($0) },
                                          value: [UInt8](value), timestampMs: clock.now))
    }

    func late() throws {
        guard var r = current else { return }
        r.headers = origin(r) + r.headers
        lateRecords.append(r)
    }

    private func origin(_ r: TestRecord) -> [KafkaHeader] {
        RecordOriginHeaders.origin(topic: r.topic, partition: Int32(truncatingIfNeeded: r.partition), offset: r.offset, pipeline: pipeline)
    }

    /// What the stage wrote since the last call (records for the next stage).
    func takeOutput() -> [TestRecord] {
        defer { output = [] }
        return output
    }
}
