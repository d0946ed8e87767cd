import WeirKafka
import XCTest

final class ConfigTests: XCTestCase {
    func testUnknownPropertyIsRefusedByName() {
        let config = KafkaConfig(bootstrapServers: "127.0.0.1:1", groupID: "g", properties: ["no.such.property": "1"])
        for make in [{ _ = try KafkaConsumer(config: config, onRebalance: { _ in }) },
                     { _ = try KafkaProducer(config: config) },
                     { _ = try KafkaAdmin(config: config) }] as [() throws -> Void] {
            XCTAssertThrowsError(try make()) { error in
                guard let error = error as? KafkaError else { return XCTFail("not a KafkaError: \(error)") }
                XCTAssertTrue(error.message.contains("no.such.property"), error.message)
                XCTAssertTrue(error.message.contains("No such configuration property"), "librdkafka's reason kept: \(error.message)")
                XCTAssertEqual(error.errorCode, .invalidArgument)
                XCTAssertEqual(error.kind, .fatal)
            }
        }
    }

    func testBadValueIsRefusedByName() {
        let config = KafkaConfig(bootstrapServers: "127.0.0.1:1", groupID: "g", properties: ["session.timeout.ms": "soon"])
        XCTAssertThrowsError(try KafkaConsumer(config: config, onRebalance: { _ in })) { error in
            XCTAssertTrue((error as? KafkaError)?.message.contains("session.timeout.ms") == true, "\(error)")
        }
        let typed = KafkaConfig(bootstrapServers: "127.0.0.1:1", groupID: "g", sessionTimeoutMs: -5)
        XCTAssertThrowsError(try KafkaConsumer(config: typed, onRebalance: { _ in })) { error in
            XCTAssertTrue((error as? KafkaError)?.message.contains("session.timeout.ms") == true, "typed fields are checked too: \(error)")
        }
    }

    /// Passed-through properties override the typed fields (here: a bad override wins).
    func testPropertiesOverrideTypedFields() {
        let config = KafkaConfig(bootstrapServers: "127.0.0.1:1", groupID: "g", isolationLevel: .readCommitted,
                                 properties: ["isolation.level": "sometimes"])
        XCTAssertThrowsError(try KafkaConsumer(config: config, onRebalance: { _ in })) { error in
            XCTAssertTrue((error as? KafkaError)?.message.contains("isolation.level") == true, "\(error)")
        }
    }

    func testErrorClassificationOfPlainCodes() {
        XCTAssertEqual(KafkaErrorCode.notCoordinator.name, "NOT_COORDINATOR")
        XCTAssertEqual(KafkaErrorCode.fenced.name, "_FENCED")
        let fenced = KafkaError(code: KafkaErrorCode.producerFenced.rawValue, message: "x", kind: .abortable)
        XCTAssertEqual(fenced.kind, .fatal, "fencing is always fatal")
        XCTAssertTrue(fenced.isFenced)
        XCTAssertEqual(fenced.name, "PRODUCER_FENCED")
        XCTAssertTrue(fenced.description.contains("PRODUCER_FENCED"))
        let retriable = KafkaError(code: KafkaErrorCode.requestTimedOut.rawValue, message: "x", kind: .retriable)
        XCTAssertFalse(retriable.isFenced)
        XCTAssertTrue(retriable.isRetriable)
    }
}

final class ClosedClientTests: XCTestCase {
    /// After close every call fails cleanly (or is a no-op) instead of touching freed memory.
    func testCallsAfterCloseFailCleanly() throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("closed", partitions: 1)
        let consumer = try KafkaConsumer(config: TestConfig.consumer(broker, group: "closed-group"), onRebalance: { _ in })
        consumer.close()
        XCTAssertEqual(consumer.poll(maxMessages: 10, timeoutMs: 10) { _ in }, 0)
        XCTAssertThrowsError(try consumer.subscribe(["closed"]))
        XCTAssertThrowsError(try consumer.commit(offsets: [TopicPartitionOffset(topic: "closed", partition: 0, offset: 1)]))
        XCTAssertThrowsError(try consumer.assignment())
        XCTAssertThrowsError(try consumer.groupMetadata())
        XCTAssertEqual(consumer.memberID, "")

        let producer = try KafkaProducer(config: TestConfig.producer(broker))
        let topic = try producer.topic("closed")
        producer.close()
        XCTAssertThrowsError(try producer.send(topic, key: "k", value: "v"))
        XCTAssertThrowsError(try producer.topic("other"))
        XCTAssertThrowsError(try producer.flush(timeoutMs: 10))
        XCTAssertThrowsError(try producer.beginTransaction())
        XCTAssertEqual(producer.poll(timeoutMs: 0), 0)

        let other = try KafkaProducer(config: TestConfig.producer(broker))
        XCTAssertThrowsError(try other.send(topic, key: "k", value: "v"), "a handle from another producer is refused")

        broker.close()
        XCTAssertThrowsError(try broker.createTopic("late", partitions: 1))
    }
}
