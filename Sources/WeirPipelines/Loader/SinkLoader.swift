import WeirEngine
import Yams

/// `sink:` — exactly one sink kind key plus `format`.
enum SinkLoader {
    typealias KindLoader = (_ value: Node, _ field: String, _ reader: inout YAMLReader) -> SinkDefinition.Kind?

    static let kinds: [(key: String, load: KindLoader)] = [
        ("kafka", KafkaSinkLoader.load),
        ("file", FileSinkLoader.file),
        ("stdout", FileSinkLoader.stdout),
        ("discard", FileSinkLoader.discard),
        ("files", FilesSinkLoader.load),
    ]

    /// Kinds without settings, which may be the whole sink: `sink: stdout`.
    static let bareKinds = ["stdout", "discard"]

    static func load(_ node: Node, _ reader: inout YAMLReader) -> SinkDefinition? {
        let kindKeys = kinds.map(\.key)
        if case .scalar(let s) = node, !YAMLReader.isNull(s) {
            guard bareKinds.contains(s.string) else {
                reader.error("sink", node, "expected a sink (\(kindKeys.joined(separator: ", "))), found \(YAMLReader.describe(node))\(ClosestMatch.hint(for: s.string, among: kindKeys))")
                return nil
            }
            return SinkDefinition(kind: s.string == "stdout" ? .stdout : .discard, format: .json, location: reader.location("sink", node))
        }
        guard let m = reader.mapping(node, "sink", known: kindKeys + ["format"] + FormatLoader.sinkKeys,
                                     expected: "a mapping with a sink kind (\(kindKeys.joined(separator: ", "))) and a format") else { return nil }
        let format = reader.format(m["format"], m.path("format"))
        let present = m.entries.filter { kindKeys.contains($0.key) }
        guard let first = present.first else {
            reader.error("sink", at: m.position, "missing sink kind: expected one of: \(kindKeys.joined(separator: ", "))")
            return nil
        }
        for extra in present.dropFirst() {
            reader.error(m.path(extra.key), extra.keyNode, "a sink has exactly one kind; found both '\(first.key)' and '\(extra.key)'")
        }
        guard present.count == 1, let loader = kinds.first(where: { $0.key == first.key }),
              let kind = loader.load(first.value, m.path(first.key), &reader), let format else { return nil }
        return SinkDefinition(kind: kind, format: format, location: reader.location("sink", node))
    }
}

/// `sink.kafka`: `topic`, an optional `key` expression and an optional
/// `deliveryGuarantee` (exactly-once, the default; at-least-once; none), as on
/// Flink's KafkaSink builder: it is the Kafka sink's promise.
enum KafkaSinkLoader {
    static func load(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> SinkDefinition.Kind? {
        guard let m = reader.mapping(node, field, known: ["topic", "key", "deliveryGuarantee"]) else { return nil }
        var key: PipelineExpression?
        if let k = m["key"] {
            guard let e = reader.expression(k, m.path("key")) else { return nil }
            key = e
        }
        var guarantee = DeliveryGuarantee.exactlyOnce
        if let g = m["deliveryGuarantee"] {
            guard let v = deliveryGuarantee(g, m.path("deliveryGuarantee"), &reader) else { return nil }
            guarantee = v
        }
        guard let t = m.require("topic", "the topic to write to", in: &reader),
              let topic = reader.topic(t, m.path("topic")) else { return nil }
        return .kafka(KafkaSinkDefinition(topic: topic, key: key, deliveryGuarantee: guarantee))
    }

    static func deliveryGuarantee(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> DeliveryGuarantee? {
        let names = DeliveryGuarantee.allCases.map(\.rawValue)
        let expected = "exactly-once, at-least-once or none"
        guard let text = reader.string(node, field, expected: expected) else { return nil }
        guard let v = DeliveryGuarantee(rawValue: text) else {
            reader.error(field, node, "unknown delivery guarantee '\(text)': expected \(expected)\(ClosestMatch.hint(for: text, among: names))")
            return nil
        }
        return v
    }
}
