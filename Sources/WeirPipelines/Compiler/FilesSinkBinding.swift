import WeirEngine
import WeirFormats

/// `sink.files` compiled against the pipeline: the columns (declared, or the
/// window/reduce results' types) and the partition expressions, which read
/// the output row's columns.
enum FilesSinkBinding {
    static func bind(_ f: FilesSinkDefinition, _ definition: PipelineDefinition, stage: JobSpec.StatefulStage?,
                     _ b: inout ProgramBuilder) -> FilesSinkSpec? {
        if definition.sink.format != .json {
            b.error(definition.sink.location, "a files sink takes its file format from 'files.format' (parquet or json); leave the sink's 'format' out")
            return nil
        }
        if let stage, stage.timestamp == nil, !definition.source.isFile {
            b.error(f.location, "a files sink keeps each input partition's rows in its own files; processing-time windows fire for all partitions at once, so they cannot write to it yet: use event time (time: {field: …})")
            return nil
        }
        var columns: [FilesSinkSpec.Column]
        if let declared = f.columns {
            columns = declared.map { FilesSinkSpec.Column($0.0.value, $0.1) }
        } else if let stage, let op = try? stage.makeOperator() {
            let types = stage.resultTypes ?? op.resultTypes(inputKinds: stage.inputKinds)
            columns = op.outputLayout.enumerated().map { i, field in
                FilesSinkSpec.Column(field.name, i < types.count ? FilesSinkSpec.columnType(for: types[i]) : .string)
            }
        } else if f.format == .json {
            // JSON lines are written as encoded; only what partitionBy reads is decoded.
            columns = []
            for (_, e) in f.partitionBy {
                for path in e.syntax.referencedFields {
                    if let head = path.components.first, !columns.contains(where: { $0.name == head }) {
                        columns.append(FilesSinkSpec.Column(head, .string))
                    }
                }
            }
        } else {
            let types = FilesSinkSpec.ColumnType.allCases.map(\.rawValue).joined(separator: ", ")
            b.error(f.location, "format parquet needs every column's type: declare them with 'columns: {name: type, …}' (types: \(types)); only window and reduce results have types the pipeline knows")
            return nil
        }
        var parts: [FilesSinkSpec.PartitionField] = []
        for (name, e) in f.partitionBy {
            let cols = columns
            let compiler = ExpressionCompiler(text: e.text) { path in
                guard path.components.count == 1, let i = cols.firstIndex(where: { $0.name == path.components[0] }) else {
                    return .failure("partitionBy reads the output row: '\(path)' is not one of its columns (\(cols.map(\.name).joined(separator: ", ")))")
                }
                return .slot(i, .any)
            }
            do {
                let c = try compiler.compile(e.syntax)
                parts.append(FilesSinkSpec.PartitionField(name: name.value, expression: c.node))
            } catch {
                b.append(e.diagnostic(error))
            }
        }
        var spec = FilesSinkSpec(path: f.path.value, format: f.format, columns: columns, partitionBy: parts)
        spec.rollBytes = f.rollBytes
        spec.rollIntervalMs = f.rollIntervalMs
        spec.rowGroupBytes = f.rowGroupBytes
        spec.compression = f.compression
        return spec
    }
}
