import Foundation
import Logging
import ServiceLifecycle
import WeirKafka

/// A running job: `parallelism` tasks, each on its own OS thread, all members
/// of the source's consumer group. A swift-service-lifecycle `Service`: on
/// graceful shutdown every task finishes its batch, commits and leaves the group.
public final class Job: Service, @unchecked Sendable {
    public let spec: JobSpec
    public let runtime: RuntimeConfig
    public let tasks: [StreamTask]
    private let logger: Logger

    public init(spec: JobSpec, runtime: RuntimeConfig, logger: Logger = Logger(label: "weir.job")) {
        self.spec = spec
        self.runtime = runtime
        self.logger = logger
        tasks = (0..<max(1, spec.parallelism)).map { StreamTask(job: spec, runtime: runtime, slot: $0, logger: logger) }
    }

    public var metrics: MetricsSnapshot { MetricsSnapshot(tasks.map(\.metrics)) }

    /// Monotonic time of the first record any task processed (nil: none yet).
    public var firstRecordNanos: UInt64? {
        tasks.map { $0.metrics.firstRecordNanos.load(ordering: .relaxed) }.filter { $0 > 0 }.min()
    }

    /// Asks every task to commit and stop; `run()` returns once they have.
    /// `flush`: the input has ended, fire every open window first.
    public func stop(flush: Bool = false) { tasks.forEach { $0.requestStop(flush: flush) } }

    public func run() async throws {
        logger.info("job starting", metadata: ["job": "\(spec.name)", "parallelism": "\(tasks.count)"])
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in tasks {
                    group.addTask { try await Self.runOnThread(task) }
                }
                do {
                    try await group.waitForAll()
                } catch {
                    // One task failed: stop the others cleanly, then report.
                    stop()
                    while (try? await group.next()) != nil {}
                    throw error
                }
            }
        } onGracefulShutdown: { [self] in
            stop()
        }
        logger.info("job stopped", metadata: ["job": "\(spec.name)"])
    }

    /// Runs a blocking task loop on a dedicated thread, never on Swift's
    /// cooperative pool.
    private static func runOnThread(_ task: StreamTask) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
                let thread = Thread {
                    do { try task.run(); c.resume() } catch { c.resume(throwing: error) }
                }
                thread.name = "weir-task-\(task.slot)"
                thread.start()
            }
        } onCancel: {
            task.requestStop()
        }
    }
}
