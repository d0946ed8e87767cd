import WeirEngine
import WeirPipelines

/// `input-topic -> output-topic`, `events.jsonl -> out.jsonl`, with the stateful
/// stage and the repartition topic before it: one line that says what a pipeline does (`weir validate`, `weir dev`, the REST API's plan).
public enum JobDescription {
    public static func flow(_ p: Pipeline) -> String {
        guard let stage = p.repartition else { return flow(p.job) }
        let keys = stage.job.program.repartitionKey?.names.joined(separator: ", ") ?? ""
        let rest = flow(p.job).split(separator: " -> ", maxSplits: 1).last.map(String.init) ?? ""
        return "\(stage.job.source.topics.joined(separator: ",")) -> repartition by [\(keys)] through \(stage.topic) -> \(rest)"
    }

    public static func flow(_ job: JobSpec) -> String {
        let from = job.source.files.map { $0.map { $0 == "-" ? "stdin" : $0 }.joined(separator: ",") }
            ?? job.source.topics.joined(separator: ",")
        let to: String
        switch job.sink.kind {
        case .kafka(let t): to = t
        case .file(let f): to = f
        case .stdout: to = "stdout"
        case .discard: to = "discard"
        case .files(let f):
            let parts = f.partitionBy.isEmpty ? "" : " by [\(f.partitionBy.map(\.name).joined(separator: ", "))]"
            to = "\(f.format.rawValue) files in \(f.path)\(parts)"
        }
        guard let stage = job.stateful, let op = try? stage.makeOperator() else { return "\(from) -> \(to)" }
        let fields = op.outputLayout.map(\.name).joined(separator: ", ")
        let kind = op is KeyedReduceOperator ? "reduce" : op is CEPOperator ? "pattern" : "windows"
        return "\(from) -> keyed \(kind) [\(fields)] -> \(to)"
    }
}
