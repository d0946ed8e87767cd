import XCTest
@testable import WeirEngine

final class CheckpointFormatTests: XCTestCase {
    func testMarkerRoundTrip() {
        let m = CheckpointMarker(checkpointID: 1_795_601_451_426_693, topic: "input-topic", partition: 7, nextOffset: 123_456,
                                 watermark: -5, maxEventTime: 1_795_600_800_000, chunkCount: 3)
        XCTAssertEqual(CheckpointMarker.decode(m.encoded()), m)
        var none = m; none.maxEventTime = nil
        XCTAssertEqual(CheckpointMarker.decode(none.encoded()), none)
    }

    func testMarkerRejectsOtherBytes() {
        let good = CheckpointMarker(checkpointID: 1, topic: "t", partition: 0, nextOffset: 0, watermark: 0, maxEventTime: nil, chunkCount: 0).encoded()
        for cut in 0..<good.count { XCTAssertNil(CheckpointMarker.decode(Array(good.prefix(cut))), "truncated at \(cut)") }
        var wrongVersion = good; wrongVersion[2] = 9
        XCTAssertNil(CheckpointMarker.decode(wrongVersion))
        XCTAssertNil(CheckpointMarker.decode(StateChunk(checkpointID: 1, index: 0, count: 1, payload: [1]).encoded()))
    }

    func testChunkRoundTripAndKeys() {
        let c = StateChunk(checkpointID: 42, index: 2, count: 5, payload: Array(0...255))
        XCTAssertEqual(StateChunk.decode(c.encoded()), c)
        XCTAssertNil(StateChunk.decode(Array(c.encoded().prefix(10))))
        // partition 1's prefix must not match partition 10's keys
        let p1 = StateChunk.keyPrefix(topic: "t", partition: 1)
        XCTAssertTrue(StateChunk.key(topic: "t", partition: 1, index: 0).starts(with: p1))
        XCTAssertFalse(StateChunk.key(topic: "t", partition: 10, index: 0).starts(with: p1))
    }

    func testCheckpointIDsNeverRepeatAndPassRestoredOnes() {
        var ids = CheckpointIDs()
        let a = ids.next(nowMicros: 100), b = ids.next(nowMicros: 100), c = ids.next(nowMicros: 50)
        XCTAssertEqual([a, b, c], [100, 101, 102], "monotonic even when the clock stands still or goes back")
        ids.observe(5_000)
        XCTAssertEqual(ids.next(nowMicros: 200), 5_001, "after a restore, ids move past the restored one")
        var fresh = CheckpointIDs()
        XCTAssertGreaterThan(fresh.next(), 1_700_000_000_000_000, "wall-clock based across restarts")
    }
}
