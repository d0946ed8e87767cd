/// Problems that do not stop a job but that its author must know about.
enum PipelineWarnings {
    static func of(_ d: PipelineDefinition) -> [Diagnostic] {
        var out: [Diagnostic] = []
        if case .file = d.source.kind, let p = d.parallelism, p > 1 {
            out.append(Diagnostic(file: d.file, line: 0, column: 0, field: "parallelism",
                                  message: "file jobs run in one task; parallelism \(p) is ignored", severity: .warning))
        }
        return out
    }
}
