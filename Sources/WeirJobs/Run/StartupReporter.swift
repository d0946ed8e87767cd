import Foundation
import Logging
import ServiceLifecycle
import WeirEngine

/// Logs how long start-up took, up to the first record processed.
public struct StartupReporter: Service {
    let job: Job
    let startNanos: UInt64
    let logger: Logger

    public init(job: Job, startNanos: UInt64, logger: Logger) {
        self.job = job; self.startNanos = startNanos; self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if let first = job.firstRecordNanos {
                // The group join is the broker's (3 s on the embedded one); report it apart.
                let m = job.slotMetrics
                let subscribed = m.map { $0.subscribedNanos.load(ordering: .relaxed) }.filter { $0 > 0 }.min() ?? first
                let assigned = m.map { $0.assignedNanos.load(ordering: .relaxed) }.filter { $0 > 0 }.min() ?? first
                let ms = { (a: UInt64, b: UInt64) in String(format: "%.1f", Double(b &- a) / 1e6) }
                logger.info("first record processed", metadata: [
                    "ms_since_start": "\(ms(startNanos, first))",
                    "ms_start_to_subscribed": "\(ms(startNanos, subscribed))",
                    "ms_group_join": "\(ms(subscribed, assigned))",
                    "ms_assigned_to_first_record": "\(ms(assigned, first))",
                ])
                break
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        try? await gracefulShutdown()
    }
}
