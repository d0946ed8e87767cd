/// `weir test`'s report: a line per case, and under a failing one where and
/// how what came out differs from what was expected.
public enum TextReport {
    public static func file(_ r: FileResult) -> String {
        var out = r.path + (r.pipeline.map { "  (pipeline \($0))" } ?? "") + "\n"
        if !r.refused.isEmpty {
            out += "  REFUSED  the test file has errors; no case ran:\n"
            for d in r.refused { out += "    \(d)\n" }
            return out
        }
        for c in r.cases { out += testCase(c) }
        return out
    }

    public static func testCase(_ c: CaseResult) -> String {
        let time = milliseconds(c.seconds)
        switch c.outcome {
        case .passed:
            return "  ok     \(c.name)  \(time)\n"
        case .error(let message):
            return "  ERROR  \(c.name)  \(time)\n         \(message)\n"
        case .failed(let failures):
            var out = "  FAIL   \(c.name)  \(time)\n"
            for f in failures { out += failure(f, indent: "         ") }
            return out
        }
    }

    /// One failed check: where it is, then each list that differs.
    public static func failure(_ f: CheckFailure, indent: String) -> String {
        var out = "\(indent)expect at \(f.location)\n"
        for m in f.mismatches {
            out += "\(indent)\(m.list): \(m.summary)\n"
            if let why = m.why { out += "\(indent)  first difference: \(why)\n" }
            for line in m.lines { out += "\(indent)  \(line)\n" }
        }
        return out
    }

    public static func summary(_ results: [FileResult], seconds: Double) -> String {
        let cases = results.reduce(0) { $0 + $1.cases.count }
        let passed = results.reduce(0) { $0 + $1.passed }
        let failed = results.reduce(0) { $0 + $1.failed }
        let errors = results.reduce(0) { $0 + $1.errors }
        var parts = ["\(passed) passed"]
        if failed > 0 { parts.append("\(failed) failed") }
        if errors > 0 { parts.append("\(errors) error\(errors == 1 ? "" : "s")") }
        return "weir test: \(cases) case\(cases == 1 ? "" : "s") in \(results.count) file\(results.count == 1 ? "" : "s"): "
            + parts.joined(separator: ", ") + " (\(milliseconds(seconds)))"
    }

    static func milliseconds(_ s: Double) -> String {
        let ms = s * 1000
        return ms < 10 ? "\(Double(Int(ms * 100)) / 100) ms" : "\(Int(ms.rounded())) ms"
    }
}
