import Foundation
import Glibc
import Logging
import ServiceLifecycle
import UnixSignals
import WeirEngine

/// Inside `weir run`: waits for SIGUSR1 and takes the savepoint named in the
/// request file.
public struct SavepointTrigger: Service {
    let job: Job
    let logger: Logger

    public init(job: Job, logger: Logger) { self.job = job; self.logger = logger }

    public static func requestPath(pid: Int32) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("weir-\(pid).savepoint-request").path
    }

    public func run() async throws {
        let path = Self.requestPath(pid: getpid())
        let signals = await UnixSignalsSequence(trapping: .sigusr1)
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                guard let dir = try? String(contentsOfFile: path, encoding: .utf8) else {
                    logger.warning("SIGUSR1 without a savepoint request", metadata: ["expected": "\(path)"])
                    continue
                }
                try? FileManager.default.removeItem(atPath: path)
                do {
                    let collector = try job.requestSavepoint(directory: dir.trimmingCharacters(in: .whitespacesAndNewlines))
                    logger.info("savepoint requested", metadata: ["dir": "\(collector.directory)"])
                } catch {
                    logger.error("savepoint failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
