import ArgumentParser
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
