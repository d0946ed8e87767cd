import Foundation
import WeirKafka
import XCTest

final class ConsumerGroupTests: XCTestCase {
    /// Tracks one member's assignment from its rebalance events.
    final class Member {
        var events: [RebalanceEvent] = []
        var owned: Set<TopicPartition> = []
        var consumer: KafkaConsumer?

        func handle(_ event: RebalanceEvent) {
            events.append(event)
            switch event {
            case .assigned(let partitions): owned.formUnion(partitions)
            case .revoked(let partitions), .lost(let partitions): owned.subtract(partitions)
            }
        }
    }

    /// Two members split four partitions; when one leaves, the other takes them all.
    /// Both are polled alternately from this one thread.
    func testTwoMembersSplitAndTakeOverEager() throws {
        try twoMembersSplitAndTakeOver(strategy: nil, expectedProtocol: "EAGER")
    }

    /// The same with incremental (cooperative) rebalancing, passed through properties.
    func testTwoMembersSplitAndTakeOverCooperative() throws {
        try twoMembersSplitAndTakeOver(strategy: "cooperative-sticky", expectedProtocol: "COOPERATIVE")
    }

    private func twoMembersSplitAndTakeOver(strategy: String?, expectedProtocol: String) throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("group-topic", partitions: 4)
        let all = Set((0..<4).map { TopicPartition(topic: "group-topic", partition: $0) })
        let a = Member()
        let b = Member()
        let config = TestConfig.consumer(broker, group: "split-group",
                                         extra: strategy.map { ["partition.assignment.strategy": $0] } ?? [:])
        a.consumer = try KafkaConsumer(config: config, onRebalance: a.handle)
        b.consumer = try KafkaConsumer(config: config, onRebalance: b.handle)
        guard let consumerA = a.consumer, let consumerB = b.consumer else { return XCTFail() }
        try consumerA.subscribe(["group-topic"])
        try consumerB.subscribe(["group-topic"])

        func pollBoth(seconds: Double, until done: () -> Bool) {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline, !done() {
                consumerA.poll(maxMessages: 16, timeoutMs: 20) { _ in }
                if b.consumer != nil { consumerB.poll(maxMessages: 16, timeoutMs: 20) { _ in } }
            }
        }

        // The embedded broker forms the group in 3 s + 5 s per extra rebalance round when the
        // two joins interleave (seen: 3, 8, 13 s, and once over 30 s in a full suite run).
        timed("two members join and split") {
            pollBoth(seconds: 90) { !a.owned.isEmpty && !b.owned.isEmpty && a.owned.union(b.owned) == all }
        }
        XCTAssertTrue(a.events.contains { if case .assigned = $0 { return true } else { return false } }, "\(a.events)")
        XCTAssertTrue(b.events.contains { if case .assigned = $0 { return true } else { return false } }, "\(b.events)")
        XCTAssertEqual(a.owned.union(b.owned), all)
        XCTAssertTrue(a.owned.isDisjoint(with: b.owned), "no partition owned twice: \(a.owned) / \(b.owned)")
        XCTAssertEqual(Set(try consumerA.assignment()), a.owned, "librdkafka applied what the events said")
        XCTAssertEqual(Set(try consumerB.assignment()), b.owned)
        XCTAssertNotEqual(consumerA.memberID, consumerB.memberID)
        XCTAssertEqual(consumerA.rebalanceProtocol, expectedProtocol)

        let bHad = b.owned
        let aEventsBefore = a.events.count
        timed("member b leaves") { consumerB.close() }
        b.consumer = nil
        XCTAssertEqual(b.events.last?.normalized, RebalanceEvent.revoked(Array(bHad)).normalized,
                       "closing revokes through the callback")
        XCTAssertTrue(b.owned.isEmpty)

        timed("member a takes over") {
            pollBoth(seconds: 30) { a.owned == all }
        }
        XCTAssertEqual(a.owned, all, "the remaining member owns every partition")
        let later = a.events.dropFirst(aEventsBefore)
        XCTAssertTrue(later.contains { if case .assigned = $0 { return true } else { return false } }, "\(later)")
        XCTAssertEqual(Set(try consumerA.assignment()), all)
        if expectedProtocol == "COOPERATIVE" {
            // Incremental: a keeps what it had, so it is never revoked, only assigned more.
            XCTAssertFalse(a.events.contains { if case .revoked = $0 { return true } else { return false } }, "\(a.events)")
        }
        print("[events] \(expectedProtocol) a: \(a.events)")
        print("[events] \(expectedProtocol) b: \(b.events)")
        consumerA.close()
    }
}

extension RebalanceEvent {
    /// Same event with partitions sorted, so events compare regardless of list order.
    var normalized: RebalanceEvent {
        func sort(_ list: [TopicPartition]) -> [TopicPartition] { list.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) } }
        switch self {
        case .assigned(let l): return .assigned(sort(l))
        case .revoked(let l): return .revoked(sort(l))
        case .lost(let l): return .lost(sort(l))
        }
    }
}
