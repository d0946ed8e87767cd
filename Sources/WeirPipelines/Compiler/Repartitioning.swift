import WeirEngine
import WeirFormats

/// Whether a pipeline's `keyBy` needs the internal repartition topic, and the
/// two pipelines it then becomes (Kafka Streams' sub-topologies):
///
/// 1. source → the steps before `keyBy` → `<job>-<operator>-repartition`,
///    keyed by the encoded key fields (so the partitioner puts every record of
///    a key on one partition), each record with its source timestamp;
/// 2. that topic → `keyBy` … → the pipeline's sink and late data.
///
/// Keyed state lives per input partition (Operator.swift), so a key must
/// arrive on one partition. Without repartitioning, only a source the
/// producer keyed by the key fields gives that: `source.kafka.keyedBy`.
struct Repartitioning {
    /// `<job>-<operator>-repartition`; also the first stage's job name.
    let topic: String
    /// Index of the keyBy step in `steps`.
    let keyByIndex: Int
    let keys: [KeyEntry]
    /// Why (for the note `weir validate` prints).
    let reason: String

    /// The first stage's consumer group is the pipeline's (its lag is the source's);
    /// the second stage reads the repartition topic in a group of its own.
    static func secondStageGroup(_ group: String) -> String { "\(group)-repartition" }

    /// nil when the pipeline needs no repartition topic: no keyBy, a file source
    /// (one task keeps all keys), or one source topic whose `keyedBy` fields are
    /// all key fields read unchanged (every record of a key is then on one
    /// partition already; a finer key is still co-located).
    static func plan(_ d: PipelineDefinition, keyBindings: [FieldBinding]) -> Repartitioning? {
        guard case .kafka(let k) = d.source.kind,
              let index = d.steps.firstIndex(where: { if case .keyBy = $0.kind { return true } else { return false } }),
              case .keyBy(let keys) = d.steps[index].kind else { return nil }
        let reason: String
        let topics = k.topics.map { "'\($0.value)'" }.joined(separator: ", ")
        if k.topics.count > 1 {
            reason = "the records of several topics (\(topics)) are brought together by key"
        } else if k.keyedBy.isEmpty {
            reason = "source.kafka declares no keyedBy, so a key's records may be on every partition of \(topics)"
        } else {
            let uncovered = k.keyedBy.filter { field in
                guard let path = FieldPath(parsing: field.value) else { return true }
                return !keyBindings.contains(.input(path))
            }
            if uncovered.isEmpty { return nil }
            reason = "\(topics) is keyed by \(k.keyedBy.map(\.value).joined(separator: ", ")), and keyBy does not read \(uncovered.map(\.value).joined(separator: ", ")) unchanged"
        }
        let isWindow = d.steps.contains { if case .window = $0.kind { return true } else { return false } }
        let isPattern = d.steps.contains { if case .pattern = $0.kind { return true } else { return false } }
        return Repartitioning(topic: "\(d.name.value)-\(isWindow ? "window" : isPattern ? "pattern" : "reduce")-repartition",
                              keyByIndex: index, keys: keys, reason: reason)
    }

    /// A topic of the pipeline that is the repartition topic would mix user
    /// records with the shuffle's.
    func collisions(_ d: PipelineDefinition) -> [Diagnostic] {
        var named: [Located<String>] = []
        if case .kafka(let k) = d.source.kind { named += k.topics }
        if case .kafka(let s) = d.sink.kind { named.append(s.topic) }
        if let t = d.deadLetter?.topic { named.append(t) }
        if let t = d.lateData?.topic { named.append(t) }
        return named.filter { $0.value == topic }.map {
            $0.location.diagnostic("'\(topic)' is this pipeline's internal repartition topic; choose another name")
        }
    }

    /// The first stage: the source and the stateless steps, written to the
    /// repartition topic as JSON (the record as the steps leave it).
    func firstStage(_ d: PipelineDefinition) -> PipelineDefinition {
        let at = d.steps[keyByIndex].location
        var s = d
        s.steps = Array(d.steps[..<keyByIndex])
        s.sink = SinkDefinition(kind: .kafka(KafkaSinkDefinition(topic: Located(topic, at: at), key: nil)), format: .json, location: at)
        s.time = nil
        s.lateData = nil
        s.formats.output = nil
        s.formats.outputLocation = nil
        return s
    }

    /// The second stage: the repartition topic (JSON, from its start) through
    /// keyBy and the stateful steps to the pipeline's sink.
    func secondStage(_ d: PipelineDefinition) -> PipelineDefinition {
        let at = d.steps[keyByIndex].location
        var s = d
        var group = d.name.value
        if case .kafka(let k) = d.source.kind { group = k.group }
        let source = KafkaSourceDefinition(topics: [Located(topic, at: at)], group: Self.secondStageGroup(group), startFrom: .earliest)
        s.source = SourceDefinition(kind: .kafka(source), format: .json, location: at)
        s.steps = Array(d.steps[keyByIndex...])
        s.formats.readerSchema = nil
        s.formats.required = []
        return s
    }

    /// The info line: the pipeline repartitions, where and why.
    func note(_ d: PipelineDefinition) -> Diagnostic {
        let names = keys.map(\.name.value).joined(separator: ", ")
        var hint = ""
        if case .kafka(let k) = d.source.kind, k.topics.count == 1, k.keyedBy.isEmpty {
            hint = "; if the producer keys '\(k.topics[0].value)' by \(names), say so with source.kafka.keyedBy: [\(names)] to skip the repartition topic"
        }
        return d.steps[keyByIndex].location.diagnostic(
            "repartitions by \(names) through the internal topic '\(topic)' (a second stage reads it): \(reason)\(hint)",
            severity: .info)
    }
}
