import XCTest
import WeirKafka
@testable import WeirEngine

/// What a task processes of the records a poll hands it, and what its
/// checkpoints claim as read.
final class ReadPositionsTests: XCTestCase {
    let a0 = TopicPartition(topic: "a", partition: 0), a3 = TopicPartition(topic: "a", partition: 3)
    let b1 = TopicPartition(topic: "b", partition: 1)

    func testOnlyOwnedPartitionsInOffsetOrder() {
        var r = ReadPositions(topics: ["a", "b"])
        XCTAssertFalse(r.accept(topic: "a", partition: 0, offset: 0), "not assigned")
        r.assign(a3, from: 10)
        XCTAssertEqual(r.nextOffset(a3), 10, "a restored partition starts at its checkpoint")
        XCTAssertFalse(r.accept(topic: "a", partition: 3, offset: 9), "before the checkpoint")
        XCTAssertTrue(r.accept(topic: "a", partition: 3, offset: 10))
        XCTAssertTrue(r.accept(topic: "a", partition: 3, offset: 12), "gaps (transaction markers) are fine")
        XCTAssertEqual(r.nextOffset(a3), 13)
        XCTAssertFalse(r.accept(topic: "a", partition: 3, offset: 12), "a record read again")
        XCTAssertFalse(r.accept(topic: "a", partition: 2, offset: 0))
        XCTAssertFalse(r.accept(topic: "c", partition: 3, offset: 20), "not a source topic")

        r.assign(b1, from: nil)
        XCTAssertNil(r.nextOffset(b1), "no checkpoint: unknown until a record is processed")
        XCTAssertTrue(r.accept(topic: "b", partition: 1, offset: 7))
        XCTAssertEqual(r.nextOffset(b1), 8)
        XCTAssertEqual(r.nextOffset(a3), 13, "topics kept apart")

        r.revoke(a3)
        XCTAssertNil(r.nextOffset(a3))
        XCTAssertFalse(r.accept(topic: "a", partition: 3, offset: 13), "revoked while the batch was collected")
        XCTAssertTrue(r.accept(topic: "b", partition: 1, offset: 8))
        XCTAssertNil(r.nextOffset(a0))
    }

    /// Revoked and assigned again from the checkpoint taken on revoke: the
    /// records collected before are the next ones and are processed; when the
    /// consumer reads them again from the checkpoint they are skipped.
    func testReassignedFromItsCheckpoint() {
        var r = ReadPositions(topics: ["a"])
        r.assign(a0, from: 0)
        for o in 0..<5 { XCTAssertTrue(r.accept(topic: "a", partition: 0, offset: Int64(o))) }
        let checkpoint = r.nextOffset(a0)
        XCTAssertEqual(checkpoint, 5)
        r.revoke(a0)
        r.assign(a0, from: checkpoint)
        for o in 5..<9 { XCTAssertTrue(r.accept(topic: "a", partition: 0, offset: Int64(o)), "collected before the rebalance") }
        for o in 5..<9 { XCTAssertFalse(r.accept(topic: "a", partition: 0, offset: Int64(o)), "read again from the checkpoint") }
        XCTAssertTrue(r.accept(topic: "a", partition: 0, offset: 9))
    }
}
