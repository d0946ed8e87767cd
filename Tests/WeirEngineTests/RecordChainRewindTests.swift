import XCTest
import WeirFormats
@testable import WeirEngine

/// What a task does to its chain when it aborts a transaction: put state and
/// event time back to the last checkpoint, then read the same records again.
/// The second pass must produce what the first one did.
final class RecordChainRewindTests: XCTestCase {
    func spec() -> JobSpec {
        let program = RecordProgram(inputFields: [FieldPath(["k"]), FieldPath(["ts"])], slotCount: 2, steps: [], output: .projected([]))
        let config = WindowOperatorConfig(keyFields: [.init(name: "k", slot: 0)], window: .tumbling(sizeMs: 100),
                                          aggregates: [.count(as: "n")], inputSlotCount: 2)
        let stage = JobSpec.StatefulStage(timestamp: TimestampExtractor(.field(slot: 1, format: .epochMillis)),
                                          watermark: WatermarkConfig(maxOutOfOrdernessMs: 0), keySlots: [0]) { try WindowOperator(config) }
        return JobSpec(name: "rewind", source: .init(topics: ["in"], group: "g"), program: program, sink: .init(topic: "out"),
                       parallelism: 1, stateful: stage)
    }

    func feed(_ chain: RecordChain, _ sink: RecordingChainSink, _ range: Range<Int>) throws {
        for i in range {
            let bytes = Array("{\"k\":\"a\",\"ts\":\(i * 10)}".utf8)
            try bytes.withUnsafeBytes { try chain.process(value: $0, key: nil, kafkaTimestampMs: nil, partition: 0, nowMs: 0, sink: sink) }
            try chain.advance(nowMs: 0, sink: sink)
        }
    }

    func testAbortRewindsEventTimeWithState() throws {
        let chain = try RecordChain(job: spec())
        let sink = RecordingChainSink()
        chain.addPartition(0, nowMs: 0)
        try feed(chain, sink, 0..<25)                        // ts 0...240: windows [0,100) and [100,200) fired
        XCTAssertEqual(sink.emitted.count, 2)
        // The checkpoint: state and max event time of partition 0.
        let chunks = try XCTUnwrap(chain.op).snapshotChunks(partition: 0)
        let maxEventTime = chain.watermarks.maxEventTime(0)
        XCTAssertEqual(maxEventTime, 240)

        try feed(chain, sink, 25..<60)                       // fires [200,300) ... [400,500) in the doomed transaction
        let firstPass = Array(sink.emitted.dropFirst(2))
        XCTAssertEqual(firstPass.count, 3)

        // Abort: what StreamTask.handle does, then the same records again.
        try chain.resetEventTime()
        try XCTUnwrap(chain.op).restore(partition: 0, chunks: chunks)
        chain.addPartition(0, nowMs: 0, restoredMaxEventTime: maxEventTime)
        sink.emitted = []
        try feed(chain, sink, 25..<60)
        XCTAssertEqual(sink.lateCount, 0, "records read again after an abort are not late")
        XCTAssertEqual(sink.emitted, firstPass, "the second pass emits what the aborted one did")
    }
}
