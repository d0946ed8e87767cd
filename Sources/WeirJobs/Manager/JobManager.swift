import Logging
import ServiceLifecycle
import Synchronization

/// The jobs one `weir serve` instance runs, each under its own lifecycle: a
/// `Service` that runs them all until graceful shutdown, when every task
/// finishes its batch, checkpoints and leaves its group. A job that fails
/// is recorded as FAILED and the others go on.
public final class JobManager: Service, Sendable {
    private let jobs: Mutex<[ManagedJob]>
    private let logger: Logger

    public init(jobs: [ManagedJob], logger: Logger) {
        self.jobs = Mutex(jobs)
        self.logger = logger
    }

    /// In the order they were registered.
    public var all: [ManagedJob] { jobs.withLock { $0 } }

    /// A job by id or by name.
    public func job(_ idOrName: String) -> ManagedJob? {
        jobs.withLock { list in list.first { $0.id.hex == idOrName } ?? list.first { $0.name == idOrName } }
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            for job in all { group.addTask { await job.run() } }
        }
        logger.info("every job has ended")
        // The service stays up to report how they ended, until it is shut down.
        try? await gracefulShutdown()
    }
}
