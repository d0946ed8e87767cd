import WeirEngine
import WeirFormats
import Yams

/// `source:` — exactly one source kind key plus `format`. Adding a source kind
/// is one entry in `kinds` and a file like `KafkaSourceLoader.swift`.
enum SourceLoader {
    typealias KindLoader = (_ value: Node, _ field: String, _ jobName: String?, _ reader: inout YAMLReader) -> SourceDefinition.Kind?

    static let kinds: [(key: String, load: KindLoader)] = [
        ("kafka", KafkaSourceLoader.load),
        ("file", FileSourceLoader.load),
    ]

    static func load(_ node: Node, jobName: String?, _ reader: inout YAMLReader) -> SourceDefinition? {
        let kindKeys = kinds.map(\.key)
        guard let m = reader.mapping(node, "source", known: kindKeys + ["format"] + FormatLoader.sourceKeys,
                                     expected: "a mapping with a source kind (\(kindKeys.joined(separator: ", "))) and a format") else { return nil }
        let format = reader.format(m["format"], m.path("format"))
        let present = m.entries.filter { kindKeys.contains($0.key) }
        guard let first = present.first else {
            reader.error("source", at: m.position, "missing source kind: expected one of: \(kindKeys.joined(separator: ", "))")
            return nil
        }
        for extra in present.dropFirst() {
            reader.error(m.path(extra.key), extra.keyNode, "a source has exactly one kind; found both '\(first.key)' and '\(extra.key)'")
        }
        guard present.count == 1, let loader = kinds.first(where: { $0.key == first.key }),
              let kind = loader.load(first.value, m.path(first.key), jobName, &reader), let format else { return nil }
        return SourceDefinition(kind: kind, format: format, location: reader.location("source", node))
    }
}

/// `source.kafka`: `topic` or `topics`, `group`, `startFrom`, `keyedBy`.
enum KafkaSourceLoader {
    static func load(_ node: Node, _ field: String, _ jobName: String?, _ reader: inout YAMLReader) -> SourceDefinition.Kind? {
        guard let m = reader.mapping(node, field, known: ["topic", "topics", "group", "startFrom", "keyedBy"]) else { return nil }
        var topics: [Located<String>]?
        switch (m.entry("topic"), m.entry("topics")) {
        case (nil, nil):
            reader.error(m.path("topic"), at: m.position, "missing required key 'topic' (or 'topics' for several topics)")
        case (.some, .some(let second)):
            reader.error(m.path("topics"), second.keyNode, "use either 'topic' or 'topics', not both")
        case (.some(let one), nil):
            if let t = reader.topic(one.value, m.path("topic")) { topics = [t] }
        case (nil, .some(let many)):
            topics = loadTopics(many.value, m.path("topics"), &reader)
        }
        var group = jobName ?? ""
        if let g = m["group"] {
            guard let s = reader.string(g, m.path("group"), expected: "a consumer group name") else { return nil }
            if s.isEmpty { reader.error(m.path("group"), g, "expected a consumer group name, found an empty string"); return nil }
            group = s
        }
        var startFrom = JobSpec.StartFrom.earliest
        if let s = m["startFrom"] {
            guard let text = reader.string(s, m.path("startFrom"), expected: "earliest or latest") else { return nil }
            guard let v = JobSpec.StartFrom(rawValue: text) else {
                reader.error(m.path("startFrom"), s, "expected earliest or latest, found '\(text)'")
                return nil
            }
            startFrom = v
        }
        var keyedBy: [Located<String>] = []
        if let k = m["keyedBy"] {
            guard let fields = loadKeyedBy(k, m.path("keyedBy"), &reader) else { return nil }
            keyedBy = fields
        }
        guard let topics else { return nil }
        return .kafka(KafkaSourceDefinition(topics: topics, group: group, startFrom: startFrom, keyedBy: keyedBy))
    }

    /// `keyedBy: user_id` or `keyedBy: [user_id, country]`: field paths of the
    /// record that the producer used as the message key.
    private static func loadKeyedBy(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> [Located<String>]? {
        let items: [(String, Node, String)]
        if case .scalar = node {
            guard let s = reader.string(node, field, expected: "a field path") else { return nil }
            items = [(s, node, field)]
        } else {
            guard case .sequence = node else {
                reader.error(field, node, "expected a field path or a list of field paths, found \(YAMLReader.describe(node))")
                return nil
            }
            guard let list = reader.stringList(node, field, element: "a field path") else { return nil }
            if list.isEmpty { reader.error(field, node, "expected at least one field, found an empty list"); return nil }
            items = list.enumerated().map { ($0.element.0, $0.element.1, "\(field)[\($0.offset)]") }
        }
        var out: [Located<String>] = []
        for (name, item, path) in items {
            guard FieldPath(parsing: name) != nil else {
                reader.error(path, item, "expected a field path such as user_id or page.host, found '\(name)'")
                return nil
            }
            if out.contains(where: { $0.value == name }) {
                reader.error(path, item, "field '\(name)' is listed twice")
                return nil
            }
            out.append(Located(name, at: reader.location(path, item)))
        }
        return out
    }

    private static func loadTopics(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> [Located<String>]? {
        guard let items = reader.sequence(node, field, expected: "a list of topic names") else { return nil }
        if items.isEmpty { reader.error(field, node, "expected at least one topic, found an empty list"); return nil }
        var out: [Located<String>] = []
        for (i, item) in items.enumerated() {
            guard let t = reader.topic(item, "\(field)[\(i)]") else { return nil }
            if out.contains(where: { $0.value == t.value }) {
                reader.error("\(field)[\(i)]", item, "topic '\(t.value)' is listed twice")
                return nil
            }
            out.append(t)
        }
        return out
    }
}
