import Foundation
import WeirPipelines

/// Runs test files: each file is loaded (its pipeline with it) once, and
/// each of its cases runs on a fresh driver.
public enum TestFileRunner {
    public static func run(path: String) -> FileResult {
        let start = ContinuousClock.now
        let file: TestFile
        do {
            file = try TestFileLoader.load(path: path)
        } catch {
            return FileResult(path: path, pipeline: nil, cases: [], refused: error.diagnostics, seconds: seconds(since: start))
        }
        return run(file, start: start)
    }

    public static func run(_ file: TestFile) -> FileResult { run(file, start: ContinuousClock.now) }

    private static func run(_ file: TestFile, start: ContinuousClock.Instant) -> FileResult {
        let cases = file.cases.map { CaseRunner(file: file, testCase: $0).run() }
        return FileResult(path: file.path, pipeline: file.pipelinePath, cases: cases, refused: [], seconds: seconds(since: start))
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// Finds test files: the paths given (files as they are, directories searched
/// for `*.test.yaml`), in a stable order.
public enum TestDiscovery {
    public static let suffix = ".test.yaml"

    /// Returns the files found and the paths that name nothing.
    public static func find(_ paths: [String]) -> (files: [String], missing: [String]) {
        var files: [String] = []
        var missing: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { missing.append(path); continue }
            guard isDir.boolValue else { files.append(path); continue }
            let found = (fm.enumerator(atPath: path)?.compactMap { $0 as? String } ?? [])
                .filter { $0.hasSuffix(suffix) }
                .sorted()
                .map { (path as NSString).appendingPathComponent($0) }
            files += found
        }
        var seen: Set<String> = []
        return (files.filter { seen.insert($0).inserted }, missing)
    }
}
