import Foundation
import ServiceLifecycle
import Synchronization
import WeirEngine
import WeirJobs

/// The last 15 minutes of each job, sampled every 5 s from the tasks'
/// counters (never from records), for the web UI's charts
/// (`GET /jobs/{id}/history`). Bounded: 180 samples of 6 numbers per job
/// (about 9 KB a job); a job that is gone is forgotten at the next sample.
public final class JobHistory: Service, Sendable {
    public static let intervalMs: Int64 = 5_000
    public static let keep = 180   // 15 minutes

    public struct Sample: Sendable, Equatable {
        public var t: Int64
        public var recordsIn: Int
        public var recordsOut: Int
        public var lagRecords: Int64
        public var lagSeconds: Double?
        public var watermarkLagSeconds: Double?
    }

    private let manager: JobManager
    private let series = Mutex<[String: [Sample]]>([:])

    public init(manager: JobManager) { self.manager = manager }

    public func samples(job: String) -> [Sample] { series.withLock { $0[job] ?? [] } }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                self.sample(nowMs: Int64(Date().timeIntervalSince1970 * 1000))
                try await Task.sleep(for: .milliseconds(Self.intervalMs))
            }
        }
    }

    /// One sample of every job (what `run` does every 5 s).
    func sample(nowMs: Int64) {
        let jobs = manager.all
        var taken: [String: Sample] = [:]
        for job in jobs {
            let first = job.jobs.inOrder[0], main = job.jobs.main
            let parts = job.jobs.inOrder.flatMap { $0.slotMetrics.flatMap(\.partitions) }
            let watermarks = parts.compactMap(\.watermarkMs)
            taken[job.id.hex] = Sample(
                t: nowMs,
                recordsIn: first.slotMetrics.reduce(0) { $0 + $1.handled.load(ordering: .relaxed) },
                recordsOut: main.slotMetrics.reduce(0) { $0 + $1.emitted.load(ordering: .relaxed) },
                lagRecords: parts.reduce(0) { $0 + ($1.lagRecords ?? 0) },
                lagSeconds: parts.compactMap { $0.lagSeconds(nowMs: nowMs) }.max(),
                watermarkLagSeconds: watermarks.min().map { Double(nowMs - $0) / 1000 })
        }
        series.withLock { all in
            for (id, s) in taken {
                var list = all[id] ?? []
                list.append(s)
                if list.count > Self.keep { list.removeFirst(list.count - Self.keep) }
                all[id] = list
            }
            for id in all.keys where taken[id] == nil { all[id] = nil }
        }
    }
}
