import Foundation
import WeirKafka
import XCTest

/// The embedded broker's fault-injection hooks, observed through real clients.
final class EmbeddedBrokerTests: XCTestCase {
    /// Weir tells the embedded broker from a real cluster by its cluster id, to say
    /// where exactly-once holds only up to identical re-emits.
    func testTheEmbeddedBrokerIsRecognised() throws {
        let broker = try EmbeddedBroker()
        defer { broker.close() }
        let admin = try KafkaAdmin(config: KafkaConfig(bootstrapServers: broker.bootstrapServers))
        defer { admin.close() }
        XCTAssertEqual(admin.clusterID()?.hasPrefix("mockCluster"), true, "\(admin.clusterID() ?? "nil")")
        XCTAssertTrue(admin.isEmbeddedBroker())
    }

    func testBrokerDownThenUp() throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("down", partitions: 1)
        let producer = try KafkaProducer(config: TestConfig.producer(broker, extra: ["reconnect.backoff.max.ms": "200"]))
        let topic = try producer.topic("down")
        try producer.flush(timeoutMs: 100)
        try broker.setBrokerDown(1)
        for i in 0..<10 { try producer.send(topic, key: "\(i)", value: "x") }
        XCTAssertThrowsError(try producer.flush(timeoutMs: 500)) { error in
            XCTAssertEqual((error as? KafkaError)?.errorCode, .timedOut)
            XCTAssertEqual((error as? KafkaError)?.kind, .retriable)
        }
        XCTAssertEqual(producer.deliveryStats.delivered, 0)
        try broker.setBrokerUp(1)
        try timed("reconnect and deliver") { try producer.flush(timeoutMs: 10000) }
        XCTAssertEqual(producer.deliveryStats.delivered, 10)
        XCTAssertEqual(producer.outQueueLength, 0)
    }

    /// Consumer-level errors reach `onError`, never `poll`'s record callback.
    func testConsumerErrorsGoToTheErrorHandler() throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("errs", partitions: 1)
        var errors: [KafkaError] = []
        var records = 0
        let consumer = try KafkaConsumer(config: TestConfig.consumer(broker, group: nil), onRebalance: { _ in },
                                         onError: { errors.append($0) })
        try consumer.assign([TopicPartitionOffset(topic: "errs", partition: 0, offset: TopicPartitionOffset.beginning)])
        consumer.poll(maxMessages: 10, timeoutMs: 200) { _ in records += 1 }
        broker.close()
        let deadline = Date().addingTimeInterval(10)
        while errors.isEmpty, Date() < deadline { consumer.poll(maxMessages: 10, timeoutMs: 100) { _ in records += 1 } }
        XCTAssertEqual(records, 0)
        XCTAssertFalse(errors.isEmpty, "losing the broker is reported")
        print("[mock] consumer errors after the cluster went away: \(errors.map(\.name))")
        XCTAssertTrue(errors.allSatisfy { $0.kind == .retriable }, "\(errors)")
        consumer.close()
    }

    /// Leaders and the transaction coordinator moved to other brokers, with latency:
    /// a transaction still commits.
    func testMovedLeaderAndCoordinatorWithLatency() throws {
        let broker = try EmbeddedBroker(brokers: 3)
        XCTAssertEqual(broker.bootstrapServers.split(separator: ",").count, 3)
        try broker.createTopic("moved", partitions: 2, replicationFactor: 3)
        try broker.setPartitionLeader(topic: "moved", partition: 0, brokerID: 2)
        try broker.setPartitionLeader(topic: "moved", partition: 1, brokerID: 3)
        try broker.setCoordinator(type: .transaction, key: "moved-tx", brokerID: 3)
        try broker.setCoordinator(type: .group, key: "moved-group", brokerID: 2)
        try broker.setBrokerRTT(-1, rttMs: 20)
        let producer = try KafkaProducer(config: TestConfig.producer(broker, transactionalID: "moved-tx"))
        let source = try KafkaConsumer(config: TestConfig.consumer(broker, group: "moved-group"), onRebalance: { _ in })
        defer { source.close() }
        let topic = try producer.topic("moved")
        try timed("transaction with moved leaders and 20 ms RTT") {
            try producer.initTransactions(timeoutMs: 10000)
            try producer.beginTransaction()
            for i in 0..<20 { try producer.send(topic, partition: Int32(i % 2), key: "\(i)", value: "m\(i)") }
            try producer.sendOffsetsToTransaction([TopicPartitionOffset(topic: "moved", partition: 0, offset: 5)],
                                                  metadata: try source.groupMetadata(), timeoutMs: 10000)
            try producer.commitTransaction(timeoutMs: 10000)
        }
        XCTAssertEqual(producer.deliveryStats.delivered, 20)
        // Leader moves again mid-stream: the producer follows it.
        try broker.setPartitionLeader(topic: "moved", partition: 0, brokerID: 1)
        try producer.beginTransaction()
        for i in 0..<10 { try producer.send(topic, partition: 0, key: "\(i)", value: "again\(i)") }
        try producer.commitTransaction(timeoutMs: 10000)
        XCTAssertEqual(producer.deliveryStats.delivered, 30)
        XCTAssertThrowsError(try broker.setBrokerDown(42), "unknown broker ids are refused")
    }

    /// A topic error set before the producer learns the topic hides it from Metadata: the
    /// records stall, the commit times out as retriable, and retrying the same call after
    /// the error clears commits (librdkafka wants that same call again: an abort now is a
    /// conflict).
    func testTopicErrorStallsCommitUntilCleared() throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("denied", partitions: 1)
        try broker.topicSetError("denied", error: KafkaErrorCode(rawValue: 29)) // TOPIC_AUTHORIZATION_FAILED
        let producer = try KafkaProducer(config: TestConfig.producer(broker, transactionalID: "denied-tx"))
        try producer.initTransactions(timeoutMs: 5000)
        let topic = try producer.topic("denied")
        try producer.beginTransaction()
        try producer.send(topic, key: "k", value: "v")
        var caught: KafkaError?
        do { try producer.commitTransaction(timeoutMs: 1500) } catch let error as KafkaError { caught = error }
        print("[mock] commit while Metadata hides the topic: \(String(describing: caught))")
        XCTAssertEqual(caught?.kind, .retriable, String(describing: caught))
        XCTAssertEqual(caught?.errorCode, .timedOut)
        XCTAssertThrowsError(try producer.abortTransaction(timeoutMs: 1000), "a different call than the one to retry") { error in
            XCTAssertEqual((error as? KafkaError)?.name, "_CONFLICT")
        }
        try broker.topicSetError("denied", error: .noError)
        try timed("commit retried after the topic error cleared") {
            try producer.commitTransaction(timeoutMs: 10000)
        }
        XCTAssertEqual(producer.deliveryStats.delivered, 1)
    }

    /// The same error once the producer knows the topic fails AddPartitionsToTxn: the
    /// transaction is abortable, and after an abort the producer carries on.
    func testTopicErrorOnAddPartitionsToTxnIsAbortable() throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("denied", partitions: 1)
        let producer = try KafkaProducer(config: TestConfig.producer(broker, transactionalID: "denied-tx"))
        try producer.initTransactions(timeoutMs: 5000)
        let topic = try producer.topic("denied")
        try producer.beginTransaction()
        try producer.send(topic, key: "k", value: "first")
        try producer.commitTransaction(timeoutMs: 5000)

        try broker.topicSetError("denied", error: KafkaErrorCode(rawValue: 29)) // TOPIC_AUTHORIZATION_FAILED
        try producer.beginTransaction()
        try producer.send(topic, key: "k", value: "denied")
        var caught: KafkaError?
        do { try producer.commitTransaction(timeoutMs: 5000) } catch let error as KafkaError { caught = error }
        print("[mock] commit with AddPartitionsToTxn topic error: \(String(describing: caught))")
        XCTAssertEqual(caught?.kind, .abortable, String(describing: caught))
        XCTAssertEqual(caught?.code, 29)
        try broker.topicSetError("denied", error: .noError)
        try producer.abortTransaction(timeoutMs: 5000)
        try producer.beginTransaction()
        try producer.send(topic, key: "k", value: "after")
        XCTAssertNoThrow(try producer.commitTransaction(timeoutMs: 5000))
        XCTAssertNil(producer.fatalFailure)
    }
}
