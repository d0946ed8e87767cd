import ArgumentParser
import Foundation
import Logging
import WeirPipelines

/// Loads a pipeline file or prints its diagnostics (file:line:column) and
/// exits 1; warnings and info lines are printed to stderr and the pipeline is returned.
func loadPipelineOrExit(_ path: String, defaultParallelism: Int = 2) throws -> Pipeline {
    do {
        let p = try PipelineLoader(defaultParallelism: defaultParallelism).load(path: path)
        for w in p.warnings + p.notes { printError(w.description) }
        return p
    } catch {
        printError(error.description)
        throw ExitCode(1)
    }
}

func printError(_ text: String) {
    var stderr = StandardError()
    print(text, to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        for byte in string.utf8 { putc(Int32(byte), Glibc.stderr) }
    }
}

import Glibc

/// Log lines to stderr at `level` (trace … error; info when unknown), for the
/// commands that run jobs.
func bootstrapLogging(_ level: String) {
    let level = Logger.Level(rawValue: level) ?? .info
    LoggingSystem.bootstrap { label in
        var h = StreamLogHandler.standardError(label: label)
        h.logLevel = level
        return h
    }
}

/// The service config: `path`, else config/weir.yaml when it exists, with WEIR_*
/// variables over it; its diagnostics printed and exit 1 when it is bad.
func loadServiceConfigOrExit(_ path: String?) throws -> ServiceConfig {
    do {
        return try ServiceConfig.load(path: path ?? (FileManager.default.fileExists(atPath: "config/weir.yaml") ? "config/weir.yaml" : nil),
                                      environment: ProcessInfo.processInfo.environment)
    } catch {
        printError("\(error)")
        throw ExitCode(1)
    }
}
