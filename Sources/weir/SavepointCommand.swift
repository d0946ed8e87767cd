import ArgumentParser
import Foundation
import Glibc
import Logging
import ServiceLifecycle
import UnixSignals
import WeirEngine

/// `weir savepoint --pid PID DIR`: asks a running `weir run` to write a
/// savepoint. Until the REST API exists, the request goes through a file named
/// after the process and SIGUSR1.
struct SavepointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "savepoint", abstract: "Write a savepoint of a running `weir run` to a directory.")

    @Option(help: "Process id of the `weir run` to savepoint.") var pid: Int32
    @Argument(help: "Directory to write (created).") var directory: String
    @Option(help: "Seconds to wait for it.") var timeout = 120.0

    func run() throws {
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        let manifest = URL(fileURLWithPath: dir).appendingPathComponent("_manifest.json").path
        if FileManager.default.fileExists(atPath: manifest) {
            printError("weir savepoint: \(dir) already holds a savepoint"); throw ExitCode(1)
        }
        try dir.write(toFile: SavepointTrigger.requestPath(pid: pid), atomically: true, encoding: .utf8)
        guard kill(pid, SIGUSR1) == 0 else {
            printError("weir savepoint: cannot signal process \(pid): \(String(cString: strerror(errno)))"); throw ExitCode(1)
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: manifest) {
                let sp = try Savepoint.load(directory: dir)
                print("savepoint of \(sp.manifest.job) written to \(dir): \(sp.manifest.partitions.count) partitions")
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        printError("weir savepoint: no savepoint in \(dir) after \(Int(timeout)) s"); throw ExitCode(1)
    }
}

/// Inside `weir run`: waits for SIGUSR1 and takes the savepoint named in the
/// request file.
struct SavepointTrigger: Service {
    let job: Job
    let logger: Logger

    static func requestPath(pid: Int32) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("weir-\(pid).savepoint-request").path
    }

    func run() async throws {
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
