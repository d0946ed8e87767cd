import XCTest
import WeirEngine
import WeirKafka

/// The start-up check of the checkpoint interval against `transaction.timeout.ms`.
final class RuntimeConfigValidationTests: XCTestCase {
    func runtime(intervalMs: Int, timeoutMs: Int = 60_000) -> RuntimeConfig {
        RuntimeConfig(kafka: KafkaConfig(bootstrapServers: "localhost:9092"), checkpointIntervalMs: intervalMs,
                      transactionTimeoutMs: timeoutMs)
    }

    func testTransactionTimeoutMustCoverThreeIntervals() {
        XCTAssertNoThrow(try runtime(intervalMs: 20_000).validate())
        XCTAssertThrowsError(try runtime(intervalMs: 20_001).validate()) { error in
            XCTAssertEqual("\(error)", "transaction.timeout.ms (60000) must be at least 3× the checkpoint interval (20001 ms)")
        }
        XCTAssertNoThrow(try runtime(intervalMs: 60_000, timeoutMs: 180_000).validate())
        XCTAssertThrowsError(try runtime(intervalMs: 5_000, timeoutMs: 900_001).validate())
        XCTAssertThrowsError(try runtime(intervalMs: 5).validate())
    }

    /// Sinks without transactions have no transaction timeout to respect.
    func testWithoutTransactionsOnlyTheIntervalIsChecked() {
        XCTAssertNoThrow(try runtime(intervalMs: 600_000).validate(transactional: false))
        XCTAssertNoThrow(try runtime(intervalMs: 5_000, timeoutMs: 900_001).validate(transactional: false))
        XCTAssertThrowsError(try runtime(intervalMs: 5).validate(transactional: false))
    }
}
