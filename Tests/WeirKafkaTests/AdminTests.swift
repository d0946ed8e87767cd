import Foundation
import WeirKafka
import XCTest
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

    /// Blocking calls from async code run on their own threads: eight 300 ms blocking
    /// calls at once finish together, which the 2-thread cooperative pool could not do.
    func testKafkaBlockingRunsOffThePool() async throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("blocking", partitions: 2)
        let servers = broker.bootstrapServers
        let count = try await KafkaBlocking.run { () throws -> Int? in
            let admin = try KafkaAdmin(config: KafkaConfig(bootstrapServers: servers))
            return try admin.partitionCount(topic: "blocking")
        }
        XCTAssertEqual(count, 2)

        let start = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { () async throws -> Void in
                    try await KafkaBlocking.run { () -> Void in _ = usleep(300_000) }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertLessThan(elapsed, 1.0, "blocking calls did not run side by side: \(elapsed) s")

        do {
            _ = try await KafkaBlocking.run { () throws -> Int in throw KafkaError(code: -186, message: "boom", kind: .fatal) }
            XCTFail("error not propagated")
        } catch let error as KafkaError {
            XCTAssertEqual(error.message, "boom")
        }
    }
}
