import Foundation
import Logging
import Synchronization
import Testing
import WeirKafka
@testable import WeirJobs

/// The jobs topic on the embedded broker over real sockets: what one instance
/// writes, another reads at its catch-up (the latest record per key) or while
/// it follows the topic.
struct KafkaJobStoreTests {
    @Test func writesAreReadBackByEveryInstance() async throws {
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        try broker.createTopic("weir-jobs", partitions: 1)
        let kafka = KafkaConfig(bootstrapServers: broker.bootstrapServers)
        let a = KafkaJobStore(kafka: kafka, logger: Logger(label: "a"))
        defer { a.close() }
        #expect(try await a.catchUp().isEmpty)
        func def(_ name: String, _ state: JobDefinition.DesiredState, _ at: Int64) -> JobDefinition {
            JobDefinition(name: name, pipeline: "p", origin: "rest", state: state, updatedAt: at)
        }
        try await a.write(.job(def("x", .running, 1)))
        try await a.write(.job(def("y", .running, 2)))
        try await a.write(.job(def("x", .cancelled, 3)))
        try await a.write(.deleted(key: "job/y"))

        let b = KafkaJobStore(kafka: kafka, logger: Logger(label: "b"))
        defer { b.close() }
        let read = try await b.catchUp()
        #expect(read == [.job(def("x", .cancelled, 3))], "the latest of each key; y deleted")

        let seen = Mutex<[JobsTopicRecord]>([])
        let follower = Task { await b.follow { r in seen.withLock { $0.append(r) } } }
        try await a.write(.job(def("z", .running, 4)))
        let deadline = Date().addingTimeInterval(15)
        while seen.withLock({ $0.isEmpty }) && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(seen.withLock { $0 } == [.job(def("z", .running, 4))])
        b.close()
        await follower.value
    }

    @Test func aMissingTopicThatCannotBeCreatedSaysHowToFixIt() async throws {
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        let store = KafkaJobStore(kafka: KafkaConfig(bootstrapServers: broker.bootstrapServers), topic: "no-such-jobs", logger: Logger(label: "t"))
        defer { store.close() }
        do {
            _ = try await store.catchUp()
            Issue.record("read a topic that does not exist")
        } catch {
            #expect("\(error)".contains("does not exist and could not be created"), "\(error)")
        }
    }
}
