/// What `time:`, `lateData:`, the source and the sink must be for the
/// pipeline's keyBy/window/reduce steps (or their absence).
enum StatefulChecks {
    static func check(_ d: PipelineDefinition) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let keyBy = d.steps.first { if case .keyBy = $0.kind { return true } else { return false } }
        let window = d.steps.first { if case .window = $0.kind { return true } else { return false } }
        let pattern = d.steps.first { if case .pattern = $0.kind { return true } else { return false } }
        if let window, d.time == nil {
            out.append(window.location.diagnostic(
                "a window needs 'time:' at the top level: event time from a field (time: {eventTime: {field: ts, format: epochMillis}, watermark: {maxOutOfOrderness: 2s}}) or processing time (time: {processingTime: true})"))
        }
        if let time = d.time, keyBy == nil {
            out.append(time.location.diagnostic("'time' is used by window and reduce steps, and this pipeline has none (nor a pattern step); remove it"))
        }
        if let late = d.lateData, window == nil, pattern == nil {
            out.append(late.location.diagnostic("'lateData' receives records too late for their windows: it needs a window step (or a pattern step on event time)"))
        }
        if case .kafka(let k) = d.source.kind, k.topics.count > 1, let first = k.keyedBy.first {
            // Keyed state is per partition number: partition 0 of two topics would share it.
            out.append(first.location.diagnostic(
                "keyedBy describes one topic's message key; records of several topics are repartitioned by key anyway: remove keyedBy"))
        }
        if case .pattern(let p)? = pattern?.kind {
            if let to = p.timedOutDestination, let problem = timedOutProblem(to, in: d) {
                out.append(to.location.diagnostic(problem))
            }
            if p.timedOutDestination != nil || p.timedOutField != nil, p.withinMs == nil {
                out.append(p.location.diagnostic("timedOut needs 'within': only within times partial matches out"))
            }
        }
        guard keyBy != nil else { return out }
        if case .kafka(let k) = d.sink.kind, let key = k.key {
            out.append(key.location.diagnostic(
                "the rows of keyBy + \(window != nil ? "window" : pattern != nil ? "pattern" : "reduce") are keyed by their key fields; remove sink.kafka.key"))
        }
        if let time = d.time {
            switch time.kind {
            case .kafkaTimestamp:
                if case .file = d.source.kind {
                    out.append(time.location.diagnostic("records read from files have no Kafka timestamp; take event time from a field (eventTime: {field: ts})"))
                }
            case .processingTime:
                for step in d.steps {
                    if case .window(let w) = step.kind, w.allowedLatenessMs > 0, let at = w.allowedLatenessLocation {
                        out.append(at.diagnostic("processing-time windows have no allowed lateness (nothing arrives late by the clock); remove allowedLateness or use event time"))
                    }
                }
            case .field: break
            }
        }
        return out
    }

    /// A Kafka job writes timed-out matches to a topic that is neither read nor the sink's; a file job to a file.
    private static func timedOutProblem(_ to: DestinationDefinition, in d: PipelineDefinition) -> String? {
        switch (d.source.kind, to) {
        case (.kafka(let k), .topic(let t)):
            if k.topics.contains(where: { $0.value == t.value }) { return "the timed-out topic '\(t.value)' is also a source topic" }
            if case .kafka(let out) = d.sink.kind, out.topic.value == t.value {
                return "the timed-out topic '\(t.value)' is also the sink topic; to have both in the sink, use timedOut: {field: timed_out}"
            }
            return nil
        case (.kafka, .file): return "a Kafka job writes timedOut to a topic: use 'timedOut: {topic: …}'"
        case (.file, .topic): return "a file job writes timedOut to a file: use 'timedOut: {file: path}'"
        case (.file, .file): return nil
        }
    }
}
