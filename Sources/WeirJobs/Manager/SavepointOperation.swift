import Foundation
import WeirEngine

/// One savepoint asked for (`POST /jobs/{id}/savepoints` or a stop), as every
/// instance knows it from the jobs topic. Its status is read from the shared
/// directory, so any instance answers for it: COMPLETED once `_manifest.json`
/// is there, FAILED when an instance could not write its part or the parts are
/// not complete in time.
public struct SavepointOperation: Sendable {
    public enum Status: Sendable, Equatable {
        case inProgress
        case completed(location: String)
        case failed(cause: String)
    }

    public var requestID: String
    public var job: String
    public var directory: String
    public var requestedAtMs: Int64
    /// Every partition it must hold (nil: whatever the parts hold).
    public var expected: Set<Savepoint.TopicPartitionKey>?
    /// Why this instance could not write its part.
    public var failure: String?

    /// After this long without a manifest, the savepoint has failed.
    public static let timeoutMs: Int64 = 120_000

    public func status(nowMs: Int64) -> Status {
        if let failure { return .failed(cause: failure) }
        let failedParts = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix("_failed-") }.sorted()
        if let first = failedParts.first,
           let text = try? String(contentsOfFile: URL(fileURLWithPath: directory).appendingPathComponent(first).path, encoding: .utf8) {
            return .failed(cause: text)
        }
        // Whoever sees the parts complete writes the manifest (two instances may finish at once).
        if (try? Savepoint.assemble(directory: directory, job: job, expected: expected)) == true { return .completed(location: directory) }
        if nowMs - requestedAtMs > Self.timeoutMs {
            let held = Savepoint.parts(directory: directory)
            let of = expected.map { " of \($0.count)" } ?? ""
            return .failed(cause: "the savepoint was not complete after \(Self.timeoutMs / 1000) s: \(held.count) part(s) hold \(held.partitions.count)\(of) partitions (a task restarting, or an instance not running the job)")
        }
        return .inProgress
    }
}
