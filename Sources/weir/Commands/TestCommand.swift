import ArgumentParser
import Foundation
import WeirTesting

/// `weir test`: pipeline tests from `*.test.yaml` files (docs/testing.md),
/// run through the same compiled pipeline as `weir run`, without Kafka.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run pipeline tests (*.test.yaml): each case through the compiled pipeline on a virtual clock, no broker.",
        discussion: "Prints each case's result and, for a failure, how what came out differs from what was expected. Exits 1 if any case fails or a test file is refused.")

    @Argument(help: "Test files, or directories to search for *.test.yaml (default: pipelines/).")
    var paths: [String] = []

    @Option(name: .long, help: "Also write the results as JUnit XML to this file (for CI).")
    var junit: String?

    @Flag(name: .long, help: "Rewrite the expectations that do not hold from what came out (golden files); prints what it rewrote, then runs the file again.")
    var update = false

    func run() throws {
        let started = ContinuousClock.now
        let (files, missing) = TestDiscovery.find(paths.isEmpty ? ["pipelines"] : paths)
        for m in missing { printError("weir test: \(m): no such file or directory") }
        if !missing.isEmpty { throw ExitCode(1) }
        if files.isEmpty {
            printError("weir test: no *\(TestDiscovery.suffix) files in \((paths.isEmpty ? ["pipelines"] : paths).joined(separator: ", "))")
            throw ExitCode(1)
        }
        var results: [FileResult] = []
        for path in files {
            var result = TestFileRunner.run(path: path)
            print(TextReport.file(result), terminator: "")
            if update && !result.ok && result.refused.isEmpty {
                result = try rewrite(path, result)
            }
            results.append(result)
        }
        let d = ContinuousClock.now - started
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        print(TextReport.summary(results, seconds: seconds))
        if let junit {
            do {
                try JUnitReport.xml(results, seconds: seconds).write(toFile: junit, atomically: true, encoding: .utf8)
            } catch {
                printError("weir test: cannot write \(junit): \(error.localizedDescription)")
                throw ExitCode(1)
            }
        }
        if !results.allSatisfy(\.ok) { throw ExitCode(1) }
    }

    /// Rewrites what failed, says so, and runs the file again.
    private func rewrite(_ path: String, _ result: FileResult) throws -> FileResult {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            printError("weir test: --update: cannot read \(path): \(error.localizedDescription)")
            return result
        }
        let outcome = GoldenUpdate.update(text: text, path: path, result: result)
        for s in outcome.skipped { printError("weir test: --update: \(path): \(s)") }
        guard let new = outcome.text else { return result }
        do { try new.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            printError("weir test: --update: cannot write \(path): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        print("  updated \(path):")
        for c in outcome.changes { print("    \(c)") }
        let again = TestFileRunner.run(path: path)
        print("  after the update:")
        print(TextReport.file(again).split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n"), terminator: "")
        return again
    }
}
