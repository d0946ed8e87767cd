import ArgumentParser
import Foundation
import Glibc
import Logging
import ServiceLifecycle
import UnixSignals
import WeirEngine
import WeirJobs

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
