import WeirFormats

/// The Avro schema a stateful job's result rows are written with when the
/// sink gives none: a record named after the pipeline (namespace `weir`) with
/// the operator's output fields in order, each typed by what it can hold
/// (`Operator.resultTypes`; docs/avro.md, "Window and reduce results").
public enum ResultSchema {
    public static let namespace = "weir"

    /// - Parameter inputKinds: what the operator's input slots can hold (`StatefulStage.inputKinds`).
    public static func derive(pipeline name: String, operator op: any Operator,
                              inputKinds: [Int: CellKinds], resultTypes: [ResultFieldType]? = nil) throws(AvroSchemaError) -> AvroResultSchema {
        let types = resultTypes ?? op.resultTypes(inputKinds: inputKinds)
        var fields: [AvroResultSchema.Field] = []
        for (i, f) in op.outputLayout.enumerated() {
            fields.append(AvroResultSchema.Field(name: f.name, type: i < types.count ? types[i] : .cells(.any)))
        }
        let what = op is KeyedReduceOperator ? "Running aggregates (keyBy + reduce)"
            : op is CEPOperator ? "Pattern matches (keyBy + pattern)" : "Window results (keyBy + window + aggregate)"
        return try AvroResultSchema(name: name, namespace: namespace, doc: "\(what) of the Weir pipeline \(name)", fields: fields)
    }

    /// The derived schema of a job's stateful stage.
    public static func derive(job: JobSpec, operator op: any Operator) throws(AvroSchemaError) -> AvroResultSchema {
        try derive(pipeline: job.name, operator: op, inputKinds: job.stateful?.inputKinds ?? [:],
                   resultTypes: job.stateful?.resultTypes)
    }
}
