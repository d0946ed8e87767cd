import Foundation
import WeirKafka
import XCTest

/// How transactional failures surface, with errors injected into the mock broker.
final class TransactionErrorTests: XCTestCase {
    private var broker: EmbeddedBroker!
    private var source: KafkaConsumer!

    override func setUpWithError() throws {
        broker = try EmbeddedBroker()
        try broker.createTopic("txe", partitions: 2)
        source = try KafkaConsumer(config: TestConfig.consumer(broker, group: "txe-group"), onRebalance: { _ in })
    }

    override func tearDown() {
        source?.close()
        broker?.close()
    }

    /// One checkpoint-shaped transaction: records, offsets, commit.
    private func transaction(_ producer: KafkaProducer) throws {
        try producer.beginTransaction()
        let topic = try producer.topic("txe")
        for i in 0..<5 { try producer.send(topic, key: "k\(i)", value: "v\(i)") }
        try producer.sendOffsetsToTransaction([TopicPartitionOffset(topic: "txe", partition: 0, offset: 1)],
                                              metadata: try source.groupMetadata(), timeoutMs: 5000)
        try producer.commitTransaction(timeoutMs: 5000)
    }

    private func initialized(_ id: String) throws -> KafkaProducer {
        let producer = try KafkaProducer(config: TestConfig.producer(broker, transactionalID: id))
        try producer.initTransactions(timeoutMs: 5000)
        return producer
    }

    func testInitProducerIdRetriesThroughConcurrentTransactions() throws {
        try broker.pushBrokerRequestErrors(brokerID: 1, apiKey: .initProducerId, errors: [.concurrentTransactions, .coordinatorNotAvailable])
        let producer = try initialized("txe-init")
        XCTAssertEqual(try broker.brokerErrorStackCount(brokerID: 1, apiKey: .initProducerId), 0)
        try broker.pushRequestErrors(apiKey: .produce, errors: [.notEnoughReplicas, .requestTimedOut])
        XCTAssertNoThrow(try transaction(producer))
        XCTAssertEqual(producer.deliveryStats.delivered, 5)
    }

    /// Every injected fencing error fails the transaction as fatal + fenced, and the
    /// producer refuses further transactions.
    func testInjectedFencingErrorsAreFatal() throws {
        let cases: [(KafkaAPIKey, KafkaErrorCode, librdkafkaFatal: Bool)] = [
            (.produce, .invalidProducerEpoch, true),
            (.produce, .producerFenced, false),      // librdkafka 2.0.2: "current transaction must be aborted"
            (.addPartitionsToTxn, .producerFenced, true),
            (.addPartitionsToTxn, .invalidProducerEpoch, true),
            (.addOffsetsToTxn, .producerFenced, false),
            (.txnOffsetCommit, .producerFenced, false),
            (.endTxn, .producerFenced, true),
            (.endTxn, .invalidProducerEpoch, true),
        ]
        for (index, (api, code, librdkafkaFatal)) in cases.enumerated() {
            let producer = try initialized("txe-fence-\(index)")
            try broker.pushRequestErrors(apiKey: api, errors: [code])
            var caught: KafkaError?
            do { try transaction(producer) } catch let error as KafkaError { caught = error }
            try broker.clearRequestErrors(apiKey: api)
            let label = "\(code) on \(api)"
            guard let error = caught else { XCTFail("\(label): transaction succeeded"); continue }
            XCTAssertEqual(error.kind, .fatal, label)
            XCTAssertTrue(error.isFenced, "\(label): \(error)")
            XCTAssertTrue([KafkaErrorCode.fenced, .producerFenced, .invalidProducerEpoch].contains(error.errorCode), "\(label): \(error)")
            // The error callback runs on poll; librdkafka raises its fatal error only for some of these.
            producer.poll(timeoutMs: 100)
            XCTAssertEqual(producer.fatalFailure != nil, librdkafkaFatal, "\(label): \(String(describing: producer.fatalFailure))")
            if let fatal = producer.fatalFailure { XCTAssertTrue(fatal.isFenced, "\(label): \(fatal)") }
            // A fenced producer never commits again. librdkafka escalates some of these to
            // fatal asynchronously, so a retry can first see an abortable error; following the
            // engine's policy (abort, retry) must end in a fatal one.
            var kinds: [KafkaError.Kind] = []
            for _ in 0..<3 {
                do {
                    try transaction(producer)
                    XCTFail("\(label): a fenced producer committed again")
                    break
                } catch let next as KafkaError {
                    kinds.append(next.kind)
                    if next.kind == .fatal { break }
                    if next.kind == .abortable { try? producer.abortTransaction(timeoutMs: 2000) }
                }
            }
            XCTAssertEqual(kinds.last, .fatal, "\(label): \(kinds)")
            producer.close()
        }
    }

    /// A non-retriable produce error inside a transaction is abortable: abort, then carry on.
    func testAbortableProduceErrorThenAbortAndContinue() throws {
        let producer = try initialized("txe-abortable")
        try broker.pushRequestErrors(apiKey: .produce, errors: [.messageSizeTooLarge])
        var caught: KafkaError?
        do { try transaction(producer) } catch let error as KafkaError { caught = error }
        XCTAssertEqual(caught?.kind, .abortable, String(describing: caught))
        XCTAssertEqual(caught?.isFenced, false)
        // Delivery reports are served by poll (the commit may return before it served this one).
        let deadline = Date().addingTimeInterval(5)
        while producer.deliveryStats.failed == 0, Date() < deadline { producer.poll(timeoutMs: 10) }
        XCTAssertGreaterThan(producer.deliveryStats.failed, 0, "the rejected batch is reported as failed")
        XCTAssertEqual(producer.deliveryStats.lastFailure?.errorCode, .messageSizeTooLarge)
        XCTAssertEqual(producer.deliveryStats.lastFailure?.kind, .abortable, "a failed record in a transaction dooms only the transaction")
        // Until the abort, librdkafka refuses new records (plain _STATE): abortable too.
        let topic = try producer.topic("txe")
        for headers in [nil, [KafkaHeader(name: "h", value: Array("v".utf8))]] {
            XCTAssertThrowsError(try producer.send(topic, key: "k", value: "v", headers: headers)) { error in
                XCTAssertEqual((error as? KafkaError)?.errorCode, .state, "\(error)")
                XCTAssertEqual((error as? KafkaError)?.kind, .abortable, "\(error)")
            }
        }
        try producer.abortTransaction(timeoutMs: 5000)
        // The engine's policy: abortable -> abort and retry the checkpoint.
        var attempts: [String] = []
        for _ in 0..<5 {
            do {
                try transaction(producer)
                attempts.append("ok")
                break
            } catch let error as KafkaError {
                attempts.append("\(error)")
                guard error.kind == .abortable else { break }
                try producer.abortTransaction(timeoutMs: 5000)
            }
        }
        print("[mock] attempts after abortable produce error: \(attempts)")
        XCTAssertEqual(attempts.last, "ok", "after aborting the producer commits again")
        XCTAssertNil(producer.fatalFailure)
    }

    /// librdkafka 2.0.2's mock does not fence: a second instance with the same
    /// transactional.id initializes, and the first still commits. Against real Kafka the
    /// first would fail with a fenced error (covered by the injected cases above).
    func testSecondInstanceDoesNotFenceOnTheMock() throws {
        let first = try initialized("txe-zombie")
        try transaction(first)
        let second = try initialized("txe-zombie")
        XCTAssertNoThrow(try transaction(second))
        var zombieError: KafkaError?
        do { try transaction(first) } catch let error as KafkaError { zombieError = error }
        XCTAssertNil(zombieError, "the mock started fencing zombies: update docs/kafka.md and make this assert the fence")
    }
}
