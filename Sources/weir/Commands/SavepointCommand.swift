import ArgumentParser
import Foundation
import Glibc
import Logging
import ServiceLifecycle
import UnixSignals
import WeirEngine
import WeirJobs

/// `weir savepoint JOB [DIR]`: asks a running `weir serve` (REST) for a
/// savepoint of a job, waits, and prints its location, as `flink savepoint`.
/// `weir savepoint --pid PID DIR` asks a running `weir run` instead (through a
/// request file named after the process and SIGUSR1).
struct SavepointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "savepoint", abstract: "Take a savepoint of a job of weir serve (JOB [DIR]) or of a `weir run` (--pid PID DIR).")

    @OptionGroup var service: ServiceOptions
    @Option(help: "Process id of a `weir run` to savepoint (then the argument is the directory).") var pid: Int32?
    @Argument(help: "The job's id or name (with --pid: the directory to write).") var target: String
    @Argument(help: "Where the savepoint goes: a directory under the service's savepoints.directory (default: that directory).") var directory: String?
    @Option(help: "Seconds to wait for it.") var timeout = 120.0

    func run() async throws {
        if let pid { try savepointOfRun(pid: pid, directory: target); return }
        let client = service.client
        let (path, detail) = try await JobLines.lookUp(target, client)
        var body: [String: Any] = [:]
        if let directory { body["target-directory"] = directory }
        print("Triggering savepoint for job \(detail["jid"] as? String ?? target).")
        let trigger: [String: Any]
        do {
            trigger = try await client.expectOK(.POST, path + "/savepoints", body: try JSONSerialization.data(withJSONObject: body)) as? [String: Any] ?? [:]
        } catch {
            printError("weir: \(error)"); throw ExitCode(1)
        }
        let location = try await JobLines.awaitSavepoint(path, trigger["request-id"] as? String ?? "", client, timeout: timeout)
        print("Savepoint completed. Path: \(location)")
    }

    func savepointOfRun(pid: Int32, directory: String) throws {
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
