/// Problems that do not stop a job but that its author must know about.
enum PipelineWarnings {
    static func of(_ d: PipelineDefinition) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for step in d.steps {
            guard case .keyBy(let keys) = step.kind, case .kafka(let k) = d.source.kind else { continue }
            // DESIGN.md: records are repartitioned by key when keyBy is not the message
            // key. Until that is built, keyed state lives per source partition.
            let names = keys.map(\.name.value).joined(separator: ", ")
            out.append(step.location.diagnostic(
                "keyed state is kept per source partition and repartitioning is not built yet: every record of one key must arrive on one partition, so '\(k.topics.first?.value ?? "the source topic")' must be keyed by \(names) (its message key) when it has more than one partition; otherwise a key's results are split", severity: .warning))
        }
        if case .file = d.source.kind, let p = d.parallelism, p > 1 {
            out.append(Diagnostic(file: d.file, line: 0, column: 0, field: "parallelism",
                                  message: "file jobs run in one task; parallelism \(p) is ignored", severity: .warning))
        }
        return out
    }
}
