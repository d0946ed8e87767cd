import Yams

/// One step of a case: records (`input`, `batch`), time (`advanceWatermark`,
/// `idle`, `advanceClock`), `checkpointAndRestore`, `endOfInput`, `expect`.
enum TestStepLoader {
    static let kinds = ["input", "batch", "advanceWatermark", "idle", "advanceClock", "checkpointAndRestore", "endOfInput", "expect"]
    /// Steps written as a bare word.
    static let bare = ["checkpointAndRestore", "endOfInput"]

    static func load(_ node: Node, _ field: String, _ context: TestFileContext, tolerance: Double,
                     _ reader: inout YAMLReader) -> TestStep? {
        let location = reader.location(field, node)
        if case .scalar(let s) = node, !YAMLReader.isNull(s) {
            switch s.string {
            case "checkpointAndRestore":
                if context.readsFiles {
                    reader.error(field, node, "a file job does not checkpoint (it runs to the end of its files), so it cannot be restored")
                    return nil
                }
                return TestStep(kind: .checkpointAndRestore, location: location)
            case "endOfInput":
                return TestStep(kind: .endOfInput, location: location)
            default:
                let hint = ClosestMatch.hint(for: s.string, among: kinds)
                reader.error(field, node, "unknown step '\(s.string)'\(hint) (expected one of: \(kinds.joined(separator: ", ")))")
                return nil
            }
        }
        guard case .mapping(let raw) = node, raw.count == 1, let only = Array(raw).first,
              case .scalar(let ks) = only.key else {
            reader.error(field, node, "expected a step: one of \(kinds.joined(separator: ", ")) (a mapping with one key, or checkpointAndRestore / endOfInput alone), found \(YAMLReader.describe(node))")
            return nil
        }
        let (k, v) = (only.key, only.value)
        let kind = ks.string
        let path = YAMLReader.join(field, kind)
        switch kind {
        case "input", "batch":
            guard let records = InputRecordLoader.list(v, path, context, &reader) else { return nil }
            return TestStep(kind: kind == "input" ? .input(records) : .batch(records), location: location)
        case "advanceWatermark":
            guard checkEventTime(k, path, context, &reader) else { return nil }
            if case .mapping = v {
                guard let m = reader.mapping(v, path, known: ["to", "partition", "topic"]),
                      let to = m.require("to", "the watermark to reach", in: &reader).flatMap({ reader.instant($0, m.path("to")) }) else { return nil }
                let partition = m["partition"].flatMap { reader.int($0, m.path("partition"), in: 0...1023) }
                let topic = m["topic"].flatMap { sourceTopic($0, m.path("topic"), context, &reader) }
                return TestStep(kind: .advanceWatermark(ms: to, partition: partition, topic: topic), location: location)
            }
            guard let to = reader.instant(v, path) else { return nil }
            return TestStep(kind: .advanceWatermark(ms: to, partition: nil, topic: nil), location: location)
        case "idle":
            guard checkEventTime(k, path, context, &reader) else { return nil }
            guard context.idleTimeoutMs != nil else {
                reader.error(path, k, "the pipeline sets no time.watermark.idleTimeout, so its partitions never go idle")
                return nil
            }
            var topic: String?
            var target = v
            if case .mapping = v {
                guard let m = reader.mapping(v, path, known: ["partition", "topic"]),
                      let p = m.require("partition", "the partition that goes idle", in: &reader) else { return nil }
                topic = m["topic"].flatMap { sourceTopic($0, m.path("topic"), context, &reader) }
                target = p
            }
            if case .sequence(let items) = target {
                var parts: [Int] = []
                for (i, item) in items.enumerated() { if let p = reader.int(item, "\(path)[\(i)]", in: 0...1023) { parts.append(p) } }
                return parts.count == items.count && !parts.isEmpty ? TestStep(kind: .idle(partitions: parts, topic: topic), location: location) : nil
            }
            guard let p = reader.int(target, path, in: 0...1023) else { return nil }
            return TestStep(kind: .idle(partitions: [p], topic: topic), location: location)
        case "advanceClock":
            guard let ms = reader.duration(v, path, in: 0...(1 << 60), what: "how far the clock moves") else { return nil }
            return TestStep(kind: .advanceClock(ms: ms), location: location)
        case "expect":
            guard let e = ExpectationLoader.load(v, keyNode: k, path, context, tolerance: tolerance, &reader) else { return nil }
            return TestStep(kind: .expect(e), location: location)
        case "checkpointAndRestore", "endOfInput":
            reader.error(path, k, "write \(kind) alone, as a list item: - \(kind)")
            return nil
        default:
            let hint = ClosestMatch.hint(for: kind, among: kinds)
            reader.error(path, k, "unknown step '\(kind)'\(hint) (expected one of: \(kinds.joined(separator: ", ")))")
            return nil
        }
    }

    private static func checkEventTime(_ node: Node, _ field: String, _ context: TestFileContext, _ reader: inout YAMLReader) -> Bool {
        if context.stateful == nil {
            reader.error(field, node, "the pipeline has no keyed window or reduce step, so there is no watermark to move")
            return false
        }
        if !context.eventTime {
            reader.error(field, node, "the pipeline runs in processing time (no watermark); move the clock with advanceClock")
            return false
        }
        return true
    }

    static func sourceTopic(_ node: Node, _ field: String, _ context: TestFileContext, _ reader: inout YAMLReader) -> String? {
        guard let t = reader.string(node, field, expected: "a source topic") else { return nil }
        if context.readsFiles {
            reader.error(field, node, "the pipeline reads files, not topics")
            return nil
        }
        guard context.sourceTopics.contains(t) else {
            reader.error(field, node, "'\(t)' is not a source topic of the pipeline\(ClosestMatch.hint(for: t, among: context.sourceTopics)) (it reads \(context.sourceTopics.joined(separator: ", ")))")
            return nil
        }
        return t
    }
}
