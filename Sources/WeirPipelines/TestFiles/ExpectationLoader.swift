import Yams

/// `expect`: what must have come out — `output`, `deadLetters`, `late`
/// (a list left out means none), `state` (keys whose state is checked),
/// and `order`, `tolerance`.
enum ExpectationLoader {
    static let keys = ["output", "deadLetters", "late", "timedOut", "state", "order", "tolerance"]
    static let recordKeys = ["value", "raw", "key", "headers"]
    static let deadLetterKeys = ["error", "message", "value", "raw", "key", "headers"]
    static let errorClasses = ["decode", "missingValue", "expression", "encode", "timestamp", "missingField"]

    static func load(_ node: Node, keyNode: Node, _ field: String, _ context: TestFileContext, tolerance: Double,
                     _ reader: inout YAMLReader) -> Expectation? {
        var e = Expectation()
        e.tolerance = tolerance
        e.location = reader.location(field, keyNode)
        if case .scalar(let s) = node, YAMLReader.isNull(s) {
            // `expect:` with nothing: nothing may come out.
            e.layout = ExpectationLayout(key: reader.place(keyNode), value: reader.place(node), entries: [:])
            return e
        }
        guard let m = reader.mapping(node, field, known: keys, expected: "a mapping with output, deadLetters, late, state") else { return nil }
        let before = reader.diagnostics.count
        var entries: [String: (key: TextPlace, value: TextPlace)] = [:]
        for entry in m.entries { entries[entry.key] = (reader.place(entry.keyNode), reader.place(entry.value)) }
        e.layout = ExpectationLayout(key: reader.place(keyNode), value: reader.place(node), entries: entries)
        if let o = m["order"] {
            switch reader.string(o, m.path("order"), expected: "exact or any") {
            case "exact": e.anyOrder = false
            case "any": e.anyOrder = true
            case let other?: reader.error(m.path("order"), o, "expected exact (records in the order written) or any (in any order), found '\(other)'")
            case nil: break
            }
        }
        if let t = m["tolerance"] { e.tolerance = reader.tolerance(t, m.path("tolerance")) ?? tolerance }
        if let o = m["output"] { e.output = records(o, m.path("output"), deadLetters: false, &reader) }
        if let d = m["deadLetters"] { e.deadLetters = records(d, m.path("deadLetters"), deadLetters: true, &reader) }
        if let l = m["late"] {
            if context.stateful == nil { reader.error(m.path("late"), l, "the pipeline has no window: no record can be late") }
            e.late = records(l, m.path("late"), deadLetters: false, &reader)
        }
        if let t = m["timedOut"] { e.timedOut = records(t, m.path("timedOut"), deadLetters: false, &reader) }
        if let s = m["state"] { e.state = states(s, m.path("state"), context, &reader) }
        return reader.diagnostics.count == before ? e : nil
    }

    private static func records(_ node: Node, _ field: String, deadLetters: Bool, _ reader: inout YAMLReader) -> [ExpectedRecord] {
        guard let items = reader.sequence(node, field, expected: "a list of records") else { return [] }
        var out: [ExpectedRecord] = []
        for (i, item) in items.enumerated() {
            let path = "\(field)[\(i)]"
            guard let m = reader.mapping(item, path, known: deadLetters ? deadLetterKeys : recordKeys,
                                         expected: deadLetters ? "a dead letter: a mapping with error (and value, message, key)" : "a record: a mapping with value (and key, headers)") else { continue }
            var r = ExpectedRecord(location: reader.location(path, item))
            if m["value"] != nil, let raw = m.entry("raw") {
                reader.error(m.path("raw"), raw.keyNode, "a record has value or raw, not both")
            } else if let v = m["value"] {
                r.value = reader.testValue(v, m.path("value")).map(ExpectedRecord.Value.structured)
            } else if let raw = m["raw"] {
                if case .scalar(let s) = raw, YAMLReader.isNull(s) { r.value = ExpectedRecord.Value.none }
                else { r.value = reader.string(raw, m.path("raw"), expected: "the record's exact text").map(ExpectedRecord.Value.raw) }
            }
            if let k = m["key"], let text = reader.scalarText(k, m.path("key"), what: "the message key (its text), or null for none") {
                r.key = .some(text)
            }
            if let h = m["headers"] { r.headers = InputRecordLoader.headerList(h, m.path("headers"), &reader) ?? [] }
            if let c = m["error"], let cls = reader.string(c, m.path("error"), expected: "an error class") {
                if errorClasses.contains(cls) { r.errorClass = cls } else {
                    reader.error(m.path("error"), c, "unknown error class '\(cls)'\(ClosestMatch.hint(for: cls, among: errorClasses)) (expected one of: \(errorClasses.joined(separator: ", ")))")
                }
            }
            if let msg = m["message"] { r.message = reader.string(msg, m.path("message"), expected: "text the error message contains") }
            out.append(r)
        }
        return out
    }

    private static func states(_ node: Node, _ field: String, _ context: TestFileContext, _ reader: inout YAMLReader) -> [ExpectedState]? {
        let keyFields = context.keyFields
        guard !keyFields.isEmpty else {
            reader.error(field, node, "the pipeline keeps no keyed state (no keyBy with a window or reduce)")
            return nil
        }
        guard let items = reader.sequence(node, field, expected: "a list of {key, entries}") else { return nil }
        var out: [ExpectedState] = []
        for (i, item) in items.enumerated() {
            let path = "\(field)[\(i)]"
            guard let m = reader.mapping(item, path, known: ["key", "entries"], expected: "a mapping with key and entries"),
                  let k = m.require("key", "the key: one value per key field (\(keyFields.joined(separator: ", ")))", in: &reader),
                  let keyValue = reader.testValue(k, m.path("key")) else { continue }
            var parts: [TestValue] = []
            if case .array(let a) = keyValue { parts = a } else { parts = [keyValue] }
            guard parts.count == keyFields.count else {
                reader.error(m.path("key"), k, "the state is keyed by \(keyFields.count) field\(keyFields.count == 1 ? "" : "s") (\(keyFields.joined(separator: ", "))); give one value for each, as a list")
                continue
            }
            var texts: [String] = []
            for p in parts {
                switch p {
                case .string(let s): texts.append(s)
                case .array, .object:
                    reader.error(m.path("key"), k, "a key field's value is a scalar (text, number, true/false or null)")
                case .null: texts.append("null")
                case .bool(let b): texts.append(b ? "true" : "false")
                case .number(let n): texts.append(n.text)
                }
            }
            guard texts.count == parts.count else { continue }
            var entries: [TestValue] = []
            if let en = m.require("entries", "the key's windows or running aggregates, [] for none", in: &reader),
               let list = reader.sequence(en, m.path("entries"), expected: "a list of entries (mappings of fields)") {
                for (j, entry) in list.enumerated() {
                    guard case .mapping = entry else {
                        reader.error("\(m.path("entries"))[\(j)]", entry, "expected an entry: a mapping of its fields, found \(YAMLReader.describe(entry))")
                        continue
                    }
                    if let v = reader.testValue(entry, "\(m.path("entries"))[\(j)]") { entries.append(v) }
                }
            }
            out.append(ExpectedState(key: texts, keyValue: keyValue, entries: entries, location: reader.location(path, item)))
        }
        return out
    }
}
