import Yams

/// Durations in pipeline files: an integer with a unit — `500ms`, `2s`, `1m`,
/// `1h`, `1d` — or several run together (`1m30s`); `0` needs no unit.
enum Durations {
    static let units: [(suffix: String, ms: Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
    static let examples = "e.g. 500ms, 2s, 1m, 1h, 1d or 1m30s"

    /// Milliseconds, or why the text is not a duration.
    struct Problem: Error { var message: String }

    static func parse(_ text: String) -> Result<Int64, Problem> {
        if text == "0" { return .success(0) }
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return .failure(Problem(message: "expected a duration (\(examples)), found an empty string")) }
        var total: Int64 = 0
        var i = 0
        while i < bytes.count {
            var value: Int64 = 0
            let digitsStart = i
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - 0x30))
                if o1 || o2 { return .failure(Problem(message: "duration '\(text)' is too long")) }
                value = a
                i += 1
            }
            guard i > digitsStart else {
                return .failure(Problem(message: "expected a duration (\(examples)), found '\(text)'"))
            }
            let unitStart = i
            while i < bytes.count, !(bytes[i] >= 0x30 && bytes[i] <= 0x39) { i += 1 }
            let unit = String(decoding: bytes[unitStart..<i], as: UTF8.self)
            guard !unit.isEmpty else {
                return .failure(Problem(message: "duration '\(text)' needs a unit: ms, s, m, h or d (\(examples))"))
            }
            guard let u = units.first(where: { $0.suffix == unit }) else {
                return .failure(Problem(message: "unknown duration unit '\(unit)' in '\(text)'; expected ms, s, m, h or d (\(examples))"))
            }
            let (part, o1) = value.multipliedReportingOverflow(by: u.ms)
            let (sum, o2) = total.addingReportingOverflow(part)
            if o1 || o2 { return .failure(Problem(message: "duration '\(text)' is too long")) }
            total = sum
        }
        return .success(total)
    }
}

extension YAMLReader {
    /// A duration in milliseconds, within `range`.
    mutating func duration(_ node: Node, _ field: String, in range: ClosedRange<Int64>, what: String) -> Int64? {
        guard case .scalar(let s) = node, !Self.isNull(s) else {
            error(field, node, "expected \(what) (\(Durations.examples)), found \(Self.describe(node))")
            return nil
        }
        switch Durations.parse(s.string.trimmingCharacters(in: .whitespaces)) {
        case .failure(let problem):
            error(field, node, problem.message)
            return nil
        case .success(let ms):
            guard range.contains(ms) else {
                error(field, node, "\(what) must be \(Self.describeRange(range)), found \(s.string)")
                return nil
            }
            return ms
        }
    }

    static func describeRange(_ range: ClosedRange<Int64>) -> String {
        let upper = range.upperBound >= 1 << 60 ? "at most 2^60 ms" : "at most \(range.upperBound) ms"
        return range.lowerBound == 0 ? upper : "at least \(range.lowerBound) ms and \(upper)"
    }
}

import Foundation
