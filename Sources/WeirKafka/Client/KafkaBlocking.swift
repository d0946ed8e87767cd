import Foundation

/// Runs a blocking librdkafka call on a dedicated OS thread, so control-plane async
/// code (CLI, admin, REST) never blocks Swift's cooperative pool.
public enum KafkaBlocking {
    /// Name given to the threads `run` starts (best effort: shown by debuggers).
    public static let threadName = "weir-kafka-blk"

    public static func run<T>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<UncheckedBox<T>, Error>) in
            let thread = Thread {
                // Set from inside: on Linux a new thread otherwise keeps its creator's OS name.
                Thread.current.name = threadName
                do {
                    continuation.resume(returning: UncheckedBox(value: try body()))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.start()
        }.value
    }

    /// Carries a result that need not be Sendable across the thread hop: it is handed
    /// over once, with no sharing.
    struct UncheckedBox<T>: @unchecked Sendable { let value: T }
}
