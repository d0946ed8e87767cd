import Foundation
import WeirKafka
import XCTest
/// The calling thread's name.
private func currentThreadName() -> String { Thread.current.name ?? "" }

final class AdminTests: XCTestCase {
    /// librdkafka 2.0.2's mock has no CreateTopics: the admin call fails with a clear
    /// error instead of hanging; EmbeddedBroker.createTopic is the way on the mock.
    func testCreateTopicsOnTheMockAndPartitionCount() throws {
        let broker = try EmbeddedBroker()
        let admin = try KafkaAdmin(config: KafkaConfig(bootstrapServers: broker.bootstrapServers))
        let start = Date()
        XCTAssertThrowsError(try admin.createTopics([(name: "admin-made", partitions: 3, replicationFactor: 1)], timeoutMs: 3000)) { error in
            guard let error = error as? KafkaError else { return XCTFail("\(error)") }
            print("[mock] CreateTopics: \(error) after \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
            XCTAssertFalse(error.message.isEmpty)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 9, "fails within the timeout")
        XCTAssertNil(try admin.partitionCount(topic: "admin-made"), "nothing was created")

        try broker.createTopic("mock-made", partitions: 6)
        XCTAssertEqual(try admin.partitionCount(topic: "mock-made"), 6)
        try broker.createTopic("mock-made-2", partitions: 1)
        let topics = try admin.listTopics()
        XCTAssertEqual(topics["mock-made"], 6)
        XCTAssertEqual(topics["mock-made-2"], 1)
        XCTAssertThrowsError(try broker.createTopic("mock-made", partitions: 2), "the mock refuses an existing topic")
        XCTAssertEqual(try admin.partitionCount(topic: "mock-made"), 6)
    }

    func testEmptyCreateTopicsIsANoOp() throws {
        let broker = try EmbeddedBroker()
        let admin = try KafkaAdmin(config: KafkaConfig(bootstrapServers: broker.bootstrapServers))
        XCTAssertNoThrow(try admin.createTopics([], timeoutMs: 1000))
    }

    /// Blocking calls from async code run on their own thread and resume the caller.
    func testKafkaBlockingRunsOffThePool() async throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("blocking", partitions: 2)
        let servers = broker.bootstrapServers
        let (count, onMainPool) = try await KafkaBlocking.run { () throws -> (Int?, Bool) in
            let admin = try KafkaAdmin(config: KafkaConfig(bootstrapServers: servers))
            return (try admin.partitionCount(topic: "blocking"), currentThreadName() != KafkaBlocking.threadName)
        }
        XCTAssertEqual(count, 2)
        XCTAssertFalse(onMainPool, "ran on the dedicated thread")
        do {
            _ = try await KafkaBlocking.run { () throws -> Int in throw KafkaError(code: -186, message: "boom", kind: .fatal) }
            XCTFail("error not propagated")
        } catch let error as KafkaError {
            XCTAssertEqual(error.message, "boom")
        }
    }
}
