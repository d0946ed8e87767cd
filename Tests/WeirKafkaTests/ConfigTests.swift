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
