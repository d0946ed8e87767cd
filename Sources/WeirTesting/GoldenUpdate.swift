import WeirPipelines

/// `weir test --update`: rewrites the expectations that did not hold from
/// what came out, in the test file's text, leaving everything else as it is
/// written (golden files). Only lists that differed are rewritten; a case
/// without `expect` gets one. Says what it rewrote.
public enum GoldenUpdate {
    public struct Outcome: Sendable {
        /// The new text (nil: nothing to change).
        public var text: String?
        /// One line per rewritten list, and per one that could not be.
        public var changes: [String]
        public var skipped: [String]
    }

    public static func update(text: String, path: String, result: FileResult) -> Outcome {
        var doc = YAMLLines(text)
        var edits: [Edit] = []
        var changes: [String] = []
        var skipped: [String] = []
        for c in result.cases {
            guard case .failed = c.outcome else { continue }
            for seen in c.observed where !seen.differing.isEmpty {
                let at = seen.expectation.location.map { "\(path):\($0.line)" } ?? "\(c.location) (new expect)"
                do {
                    let made = try plan(seen, doc)
                    edits += made
                    for list in lists where seen.differing.contains(list) {
                        changes.append("case '\(c.name)': expect at \(at): \(list) \(describe(list, seen))")
                    }
                } catch {
                    skipped.append("case '\(c.name)': expect at \(at): not rewritten: \(error.message)")
                }
            }
        }
        guard !edits.isEmpty else { return Outcome(text: nil, changes: changes, skipped: skipped) }
        // Bottom up, so earlier lines keep their numbers; insertions at one place keep their planned order.
        let ordered = edits.enumerated().sorted { ($0.element.order, $0.offset) > ($1.element.order, $1.offset) }.map(\.element)
        for e in ordered {
            let new = e.lines.map { Array($0.unicodeScalars) }
            switch e.kind {
            case .replace(let first, let last): doc.lines.replaceSubrange((first - 1)..<last, with: new)
            case .insertAfter(let line): doc.lines.insert(contentsOf: new, at: line)
            }
        }
        return Outcome(text: doc.text, changes: changes, skipped: skipped)
    }

    private static func describe(_ list: String, _ seen: Observation) -> String {
        func n(_ c: Int) -> String { "\(c) record\(c == 1 ? "" : "s")" }
        switch list {
        case "output": return "rewritten from what came out: \(n(seen.output.count)) (was \(seen.expectation.output.count))"
        case "deadLetters": return "rewritten from what came out: \(n(seen.deadLetters.count)) (was \(seen.expectation.deadLetters.count))"
        case "late": return "rewritten from what came out: \(n(seen.late.count)) (was \(seen.expectation.late.count))"
        case "timedOut": return "rewritten from what came out: \(n(seen.timedOut.count)) (was \(seen.expectation.timedOut.count))"
        default: return "rewritten from the state found for \(seen.state?.count ?? 0) key\(seen.state?.count == 1 ? "" : "s")"
        }
    }

    struct Edit {
        enum Kind { case replace(Int, Int), insertAfter(Int) }
        var kind: Kind
        var lines: [String]
        var order: Double {
            switch kind {
            case .replace(let first, _): return Double(first)
            case .insertAfter(let line): return Double(line) + 0.5
            }
        }
    }

    struct Refusal: Error { var message: String }

    static let lists = ["output", "deadLetters", "late", "timedOut", "state"]

    /// The edits that make one expectation say what was seen.
    private static func plan(_ seen: Observation, _ doc: YAMLLines) throws(Refusal) -> [Edit] {
        let e = seen.expectation
        guard let layout = e.layout else {
            // No `expect` in the case: one goes after the case's last line.
            let c = seen.caseLayout
            guard !c.isFlow else { throw Refusal(message: "the case is written in flow style ({…}); write it as a block to use --update") }
            let indent = c.column - 1
            let end = doc.blockEnd(from: c.line, minIndent: indent)
            var lines = [pad(indent) + "expect:"]
            for list in lists where seen.differing.contains(list) { lines += listLines(list, seen, e, indent: indent + 2, fromActual: true) }
            return [Edit(kind: .insertAfter(end), lines: lines)]
        }
        let keyIndent = layout.key.column - 1
        let isBlockMapping = !layout.value.isFlow && layout.value.line > layout.key.line && !layout.entries.isEmpty
        guard isBlockMapping else {
            // `expect: {…}` or `expect:` alone: written out again, as a block.
            let last: Int
            if layout.value.isFlow {
                guard let end = doc.flowEnd(line: layout.value.line, column: layout.value.column), end.cleanAfter else {
                    throw Refusal(message: "cannot find where its {…} ends")
                }
                last = end.line
            } else {
                last = layout.key.line
            }
            var lines = [doc.prefix(layout.key.line, before: layout.key.column) + "expect:"]
            let inner = keyIndent + 2
            if e.anyOrder { lines.append(pad(inner) + "order: any") }
            if layout.entries["tolerance"] != nil { lines.append(pad(inner) + "tolerance: \(e.tolerance)") }
            for list in lists {
                if seen.differing.contains(list) { lines += listLines(list, seen, e, indent: inner, fromActual: true) }
                else if layout.entries[list] != nil { lines += listLines(list, seen, e, indent: inner, fromActual: false) }
            }
            return [Edit(kind: .replace(layout.key.line, last), lines: lines)]
        }
        var edits: [Edit] = []
        let mappingIndent = layout.value.column - 1
        for list in lists where seen.differing.contains(list) {
            if let place = layout.entries[list] {
                let first = place.key.line
                let last: Int
                if place.value.isFlow {
                    guard let end = doc.flowEnd(line: place.value.line, column: place.value.column), end.cleanAfter else {
                        throw Refusal(message: "cannot find where \(list)'s […] ends")
                    }
                    last = end.line
                } else if place.value.line == place.key.line {
                    last = place.key.line   // a scalar on the key's line
                } else {
                    let compact = place.value.column - 1 == place.key.column - 1
                    last = doc.blockEnd(from: place.key.line, minIndent: place.key.column, dashIndent: compact ? place.key.column - 1 : nil)
                }
                guard doc.prefix(first, before: place.key.column).allSatisfy({ $0 == " " }) else {
                    throw Refusal(message: "\(list) does not start its line")
                }
                edits.append(Edit(kind: .replace(first, last), lines: listLines(list, seen, e, indent: place.key.column - 1, fromActual: true)))
            } else {
                let end = doc.blockEnd(from: layout.key.line, minIndent: mappingIndent)
                edits.append(Edit(kind: .insertAfter(end), lines: listLines(list, seen, e, indent: mappingIndent, fromActual: true)))
            }
        }
        return edits
    }

    /// `output:` and its records (one per line, in flow style), or `output: []`.
    private static func listLines(_ list: String, _ seen: Observation, _ e: Expectation, indent: Int, fromActual: Bool) -> [String] {
        let p = pad(indent)
        var items: [String] = []
        switch list {
        case "state":
            let keys = e.state ?? []
            var out = [p + "state:"]
            if keys.isEmpty { return [p + "state: []"] }
            for (i, s) in keys.enumerated() {
                let entries = fromActual ? (seen.state.flatMap { i < $0.count ? $0[i] : nil } ?? []) : s.entries
                out.append(p + "  - key: " + s.keyValue.flow)
                if entries.isEmpty { out.append(p + "    entries: []"); continue }
                out.append(p + "    entries:")
                for entry in entries { out.append(p + "      - " + entry.flow) }
            }
            return out
        case "output": items = fromActual ? seen.output.map(\.flow) : e.output.map(\.shown)
        case "deadLetters": items = fromActual ? seen.deadLetters.map(\.flow) : e.deadLetters.map(\.shown)
        case "timedOut": items = fromActual ? seen.timedOut.map(\.flow) : e.timedOut.map(\.shown)
        default: items = fromActual ? seen.late.map(\.flow) : e.late.map(\.shown)
        }
        if items.isEmpty { return [p + list + ": []"] }
        return [p + list + ":"] + items.map { p + "  - " + $0 }
    }

    private static func pad(_ n: Int) -> String { String(repeating: " ", count: max(0, n)) }
}
