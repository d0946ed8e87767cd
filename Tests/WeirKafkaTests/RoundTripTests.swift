import Foundation
import WeirKafka
import XCTest

final class RoundTripTests: XCTestCase {
    /// 1,000 keyed records with headers through a 4-partition topic and back.
    func testProduceConsumeRoundTrip() throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("roundtrip", partitions: 4)
        let producer = try KafkaProducer(config: TestConfig.producer(broker))
        let topic = try producer.topic("roundtrip")
        XCTAssertTrue(try producer.topic("roundtrip") === topic, "topic handles are cached")

        let count = 1000
        try timed("produce 1000") {
            for i in 0..<count {
                let headers = [KafkaHeader(name: "index", value: Array("\(i)".utf8)),
                               KafkaHeader(name: "empty", value: []),
                               KafkaHeader(name: "none", value: nil)]
                try producer.send(topic, key: "key-\(i)", value: "value-\(i)", headers: i % 2 == 0 ? headers : nil)
            }
            try producer.flush(timeoutMs: 10000)
        }
        XCTAssertEqual(producer.deliveryStats.delivered, count)
        XCTAssertEqual(producer.deliveryStats.failed, 0)

        var events: [RebalanceEvent] = []
        var errors: [KafkaError] = []
        let consumer = try KafkaConsumer(config: TestConfig.consumer(broker, group: "roundtrip-group"),
                                         onRebalance: { events.append($0) }, onError: { errors.append($0) })
        try consumer.subscribe(["roundtrip"])
        let records = timed("consume 1000 (incl. group join)") {
            consumer.drain(seconds: 30) { $0.count >= count }
        }
        XCTAssertEqual(records.count, count)
        XCTAssertEqual(Set(records.compactMap(\.key)).count, count, "no duplicates")
        XCTAssertTrue(errors.isEmpty, "\(errors)")
        guard case .assigned(let assigned)? = events.first else { return XCTFail("no assignment: \(events)") }
        XCTAssertEqual(Set(assigned), Set((0..<4).map { TopicPartition(topic: "roundtrip", partition: $0) }))
        XCTAssertFalse(consumer.memberID.isEmpty)

        var partitionOfKey: [String: Int32] = [:]
        var offsetsByPartition: [Int32: [Int64]] = [:]
        for record in records {
            XCTAssertEqual(record.topic, "roundtrip")
            guard let key = record.key, let i = Int(key.dropFirst("key-".count)) else { return XCTFail("bad key \(record)") }
            XCTAssertEqual(record.value, "value-\(i)")
            if i % 2 == 0 {
                XCTAssertEqual(record.headers, [KafkaHeader(name: "index", value: Array("\(i)".utf8)),
                                                KafkaHeader(name: "empty", value: []),
                                                KafkaHeader(name: "none", value: nil)])
            } else {
                XCTAssertEqual(record.headers, [])
            }
            partitionOfKey[key] = record.partition
            offsetsByPartition[record.partition, default: []].append(record.offset)
        }
        XCTAssertEqual(offsetsByPartition.keys.count, 4, "keys spread over all partitions")
        for (partition, offsets) in offsetsByPartition {
            XCTAssertEqual(offsets, Array(0..<Int64(offsets.count)), "partition \(partition) in offset order, no gaps")
        }
        XCTAssertEqual(offsetsByPartition.values.map(\.count).reduce(0, +), count)

        // Positions follow what was read; committing and reading back the commit works.
        let partitions = (0..<4).map { TopicPartition(topic: "roundtrip", partition: $0) }
        let positions = try consumer.position(partitions)
        for position in positions {
            XCTAssertEqual(position.offset, Int64(offsetsByPartition[position.partition]?.count ?? -1))
        }
        try consumer.commit(offsets: positions)
        XCTAssertEqual(Set(try consumer.committed(partitions)), Set(positions))
        XCTAssertEqual(Set(try consumer.assignment()), Set(partitions))
        consumer.close()
        consumer.close() // idempotent
        XCTAssertEqual(events.last, .revoked(assigned), "close revokes the assignment through the callback")
    }

    /// The zero-copy header lookup and the message view's fields.
    func testMessageViewAccessors() throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("view", partitions: 1)
        let producer = try KafkaProducer(config: TestConfig.producer(broker))
        let topic = try producer.topic("view")
        try producer.send(topic, partition: 0, key: nil, value: nil,
                             headers: [KafkaHeader(name: "h", value: Array("first".utf8)),
                                       KafkaHeader(name: "h", value: Array("last".utf8))])
        try producer.send(topic, partition: 0, key: "", value: "")
        try producer.flush(timeoutMs: 5000)

        let consumer = try KafkaConsumer(config: TestConfig.consumer(broker, group: nil), onRebalance: { _ in })
        try consumer.assign([TopicPartitionOffset(topic: "view", partition: 0, offset: TopicPartitionOffset.beginning)])
        var seen: [(key: [UInt8]?, value: [UInt8]?, header: String?, missing: Bool, ts: Int64, type: KafkaMessage.TimestampType)] = []
        let deadline = Date().addingTimeInterval(10)
        while seen.count < 2, Date() < deadline {
            consumer.poll(maxMessages: 10, timeoutMs: 50) { message in
                seen.append((message.key.map(Array.init), message.value.map(Array.init),
                             message.header("h").map { String(decoding: $0, as: UTF8.self) },
                             message.header("absent") == nil, message.timestamp, message.timestampType))
            }
        }
        XCTAssertEqual(seen.count, 2)
        guard seen.count == 2 else { return }
        XCTAssertNil(seen[0].key, "null key stays null")
        XCTAssertNil(seen[0].value, "tombstone stays null")
        XCTAssertEqual(seen[0].header, "last")
        XCTAssertTrue(seen[0].missing)
        XCTAssertEqual(seen[1].key, [], "empty key is not null")
        XCTAssertEqual(seen[1].value, [], "empty value is not null")
        XCTAssertEqual(seen[1].type, .createTime)
        XCTAssertLessThan(abs(seen[1].ts - Int64(Date().timeIntervalSince1970 * 1000)), 60_000)
    }
}
