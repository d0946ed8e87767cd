import Foundation

/// JUnit XML for CI systems (the Ant schema most read): one `testsuite` per
/// test file, one `testcase` per case; a failing case has a `failure` with
/// the diff, a case that could not run an `error`, a refused file one
/// `error` case with its diagnostics.
public enum JUnitReport {
    public static func xml(_ results: [FileResult], seconds: Double, timestamp: Date = Date()) -> String {
        let tests = results.reduce(0) { $0 + max($1.cases.count, $1.refused.isEmpty ? 0 : 1) }
        let failures = results.reduce(0) { $0 + $1.failed }
        let errors = results.reduce(0) { $0 + $1.errors }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"weir test\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(time(seconds))\">\n"
        let stamp = ISO8601DateFormatter().string(from: timestamp)
        for r in results {
            let suiteTests = max(r.cases.count, r.refused.isEmpty ? 0 : 1)
            out += "  <testsuite name=\"\(escape(r.path))\" tests=\"\(suiteTests)\" failures=\"\(r.failed)\" errors=\"\(r.errors)\" skipped=\"0\" time=\"\(time(r.seconds))\" timestamp=\"\(stamp)\">\n"
            if let p = r.pipeline {
                out += "    <properties><property name=\"pipeline\" value=\"\(escape(p))\"/></properties>\n"
            }
            let className = escape(classname(r.path))
            if !r.refused.isEmpty {
                let text = r.refused.map(\.description).joined(separator: "\n")
                out += "    <testcase classname=\"\(className)\" name=\"(test file)\" time=\"0\">\n"
                out += "      <error message=\"\(escape(r.refused[0].description))\" type=\"refused\">\(escape(text))</error>\n"
                out += "    </testcase>\n"
            }
            for c in r.cases {
                out += "    <testcase classname=\"\(className)\" name=\"\(escape(c.name))\" time=\"\(time(c.seconds))\""
                switch c.outcome {
                case .passed:
                    out += "/>\n"
                case .failed(let failures):
                    let text = failures.map { TextReport.failure($0, indent: "") }.joined()
                    let first = failures.first?.mismatches.first.map { "\($0.list): \($0.summary)" } ?? "expectation not met"
                    out += ">\n      <failure message=\"\(escape(first))\" type=\"mismatch\">\(escape(text))</failure>\n    </testcase>\n"
                case .error(let message):
                    out += ">\n      <error message=\"\(escape(message))\" type=\"error\">\(escape(message))</error>\n    </testcase>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    /// `pipelines/clicks-per-user.test.yaml` → `pipelines.clicks-per-user` (CI tools group by dots).
    static func classname(_ path: String) -> String {
        var p = path
        if p.hasPrefix("./") { p.removeFirst(2) }
        if p.hasSuffix(TestDiscovery.suffix) { p.removeLast(TestDiscovery.suffix.count) }
        return p.replacingOccurrences(of: "/", with: ".")
    }

    static func time(_ s: Double) -> String { String(format: "%.6f", s) }

    /// Text for XML attributes and content; characters XML 1.0 cannot hold become U+FFFD.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            case "\r": out += "&#13;"
            default:
                let v = u.value
                let allowed = v >= 0x20 && v != 0xFFFE && v != 0xFFFF
                out.unicodeScalars.append(allowed ? u : "\u{FFFD}")
            }
        }
        return out
    }
}
