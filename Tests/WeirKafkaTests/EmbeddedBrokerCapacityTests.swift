import XCTest
import WeirKafka

final class EmbeddedBrokerCapacityTests: XCTestCase {
    func testPartitionsAreFilledToThreeQuartersAtMost() {
        // 1M bench events of ~120 bytes: 120 MB over 3.93 MB usable per partition.
        XCTAssertEqual(EmbeddedBrokerCapacity.partitionsNeeded(events: 1_000_000, bytesPerEvent: 120), 31)
        XCTAssertEqual(EmbeddedBrokerCapacity.partitionsNeeded(events: 0, bytesPerEvent: 120), 1)
        XCTAssertEqual(EmbeddedBrokerCapacity.partitionsNeeded(events: 10, bytesPerEvent: 120), 1)
        // Tiny records: the 100,000-batch cap decides (one record per batch at worst).
        XCTAssertEqual(EmbeddedBrokerCapacity.partitionsNeeded(events: 1_000_000, bytesPerEvent: 1), 14)
    }

    func testShortfallRefusesOnlyPast95Percent() {
        // 400k sample clicks (~195 bytes) on 16 partitions fill each to 4.9 MB of 5.24: allowed.
        XCTAssertNil(EmbeddedBrokerCapacity.shortfall(topic: "t", partitions: 16, events: 400_000, bytesPerEvent: 195, fix: ""))
        let message = EmbeddedBrokerCapacity.shortfall(topic: "t", partitions: 16, events: 500_000, bytesPerEvent: 195, fix: "Do X.")
        XCTAssertEqual(message, "500000 events (about 98 MB) need at least 25 partitions of t on the embedded broker, which keeps at most 5 MiB (or 100,000 batches) per partition and drops older records beyond that; t has 16. Do X.")
    }
}
