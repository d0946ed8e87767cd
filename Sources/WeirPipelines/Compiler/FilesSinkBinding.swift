import WeirEngine
import WeirFormats

/// `sink.files` compiled against the pipeline: the columns (declared, the
/// window/reduce results' types, or the Avro source schema's types), where
/// each column's cell is in the row the pipeline hands the sink, and the
/// partition expressions, which read the columns.
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
        if stage == nil, let subject = registrySubject(f, definition, b) {
            // Compiled again at job start with the subject's latest schema (RegistryColumns).
            var spec = FilesSinkSpec(path: f.path.value, format: f.format, columns: [])
            spec.columnsFromSubject = subject
            return spec
        }
        let bound: (columns: [FilesSinkSpec.Column], slots: [Int])?
        if let stage {
            bound = results(f, stage, &b)
        } else {
            bound = records(f, definition, &b)
        }
        guard let (columns, slots) = bound else { return nil }
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
        spec.sourceSlots = slots
        spec.rollBytes = f.rollBytes
        spec.rollIntervalMs = f.rollIntervalMs
        spec.rowGroupBytes = f.rowGroupBytes
        spec.compression = f.compression
        return spec
    }

    /// The registry subject whose schema gives a stateless pipeline's Parquet
    /// columns at job start: an Avro Kafka source with no `source.schema`,
    /// writing Parquet without declared `columns` (TopicNameStrategy: `<topic>-value`).
    private static func registrySubject(_ f: FilesSinkDefinition, _ definition: PipelineDefinition, _ b: ProgramBuilder) -> String? {
        guard f.format == .parquet, f.columns == nil, b.readerSchema == nil, definition.source.format == .avro,
              case .kafka(let k) = definition.source.kind, let topic = k.topics.first else { return nil }
        return topic.value + "-value"
    }

    /// JSON lines are written as encoded; only the columns partitionBy reads are needed.
    private static func partitionColumns(_ f: FilesSinkDefinition) -> [(String, SourceLocation)] {
        var names: [(String, SourceLocation)] = []
        for (_, e) in f.partitionBy {
            for path in e.syntax.referencedFields {
                if let head = path.components.first, !names.contains(where: { $0.0 == head }) { names.append((head, e.location)) }
            }
        }
        return names
    }

    /// Columns the pipeline names itself: declared ones, or for JSON lines the
    /// partition columns (the rows are written whole; only partitions need slots).
    private enum NamedColumns {
        case resolved([FilesSinkSpec.Column], [Int])
        /// A name did not resolve; `slot` reported it.
        case failed
        /// Neither: the columns come from the row's types.
        case notNamed
    }

    /// Resolves the named columns with `slot`, which reports what it cannot find.
    private static func namedColumns(_ f: FilesSinkDefinition, slot: (String, SourceLocation) -> Int?) -> NamedColumns {
        let named: [(column: FilesSinkSpec.Column, at: SourceLocation)]
        if let declared = f.columns {
            named = declared.map { (FilesSinkSpec.Column($0.0.value, $0.1), $0.0.location) }
        } else if f.format == .json {
            named = partitionColumns(f).map { (FilesSinkSpec.Column($0.0, .string), $0.1) }
        } else {
            return .notNamed
        }
        let slots = named.map { slot($0.column.name, $0.at) }   // every name, so every miss is reported
        let found = slots.compactMap { $0 }
        return found.count == slots.count ? .resolved(named.map(\.column), found) : .failed
    }

    /// A window/reduce/pattern stage: the sink gets the operator's result row.
    private static func results(_ f: FilesSinkDefinition, _ stage: JobSpec.StatefulStage,
                                _ b: inout ProgramBuilder) -> ([FilesSinkSpec.Column], [Int])? {
        guard let op = try? stage.makeOperator() else {
            b.error(f.location, "the files sink needs the stage's result fields, and the stage could not be built")
            return nil
        }
        let layout = op.outputLayout
        let known = layout.map(\.name).joined(separator: ", ")
        func slot(_ name: String, _ at: SourceLocation) -> Int? {
            if let field = layout.first(where: { $0.name == name }) { return field.slot }
            b.error(at, "column '\(name)' is not one of the results' fields (\(known))")
            return nil
        }
        switch namedColumns(f, slot: slot) {
        case .resolved(let columns, let slots): return (columns, slots)
        case .failed: return nil
        case .notNamed: break
        }
        let types = stage.resultTypes ?? op.resultTypes(inputKinds: stage.inputKinds)
        let columns = layout.enumerated().map { i, field in
            FilesSinkSpec.Column(field.name, i < types.count ? FilesSinkSpec.columnType(for: types[i]) : .string)
        }
        return (columns, layout.map(\.slot))
    }

    /// A stateless pipeline: the sink gets the processed record's row; each
    /// column is the output field of that name, as the steps left it.
    private static func records(_ f: FilesSinkDefinition, _ definition: PipelineDefinition,
                                _ b: inout ProgramBuilder) -> ([FilesSinkSpec.Column], [Int])? {
        func slot(_ name: String, _ at: SourceLocation) -> Int? {
            switch b.scope.resolve(FieldPath([name])) {
            case .success(let binding): return b.slot(for: binding)
            case .failure(let e):
                b.error(at, "column '\(name)' is not in the output record: \(e.message)")
                return nil
            }
        }
        switch namedColumns(f, slot: slot) {
        case .resolved(let columns, let slots): return (columns, slots)
        case .failed: return nil
        case .notNamed: break
        }
        if let schema = b.readerSchema {
            return avroColumns(schema, &b)
        }
        let types = FilesSinkSpec.ColumnType.names.joined(separator: ", ")
        let avro = definition.source.format == .avro ? "; or give the Avro source its schema (source.schema) and the columns take its types" : ""
        b.error(f.location, "format parquet needs every column's type: declare them with 'columns: {name: type, …}' (types: \(types))\(avro); window and reduce results have types the pipeline knows")
        return nil
    }

    /// The output record's fields, typed by the Avro source schema: fields read
    /// as they are take their Avro type; computed ones their expression's type.
    private static func avroColumns(_ schema: AvroSchema, _ b: inout ProgramBuilder) -> ([FilesSinkSpec.Column], [Int]) {
        var fields: [(name: String, binding: FieldBinding)] = []
        switch b.output.mode {
        case .projected:
            fields = b.output.fields
        case .original, .edited:
            // The original record's fields in schema order (minus what the steps
            // removed), then what they appended: the order the JSON encoder writes.
            for name in AvroColumnTypes.topLevelFields(schema) where !b.output.removed.contains(name) {
                fields.append((name, .input(FieldPath([name]))))
            }
            fields += b.output.fields
        }
        var columns: [FilesSinkSpec.Column] = []
        var slots: [Int] = []
        for (name, binding) in fields {
            switch binding {
            case .input(let path):
                guard let (avro, optional) = AvroColumnTypes.fieldType(schema, path) else {
                    columns.append(FilesSinkSpec.Column(name, .string))   // not in the schema: always null
                    slots.append(b.slot(for: binding))
                    continue
                }
                // `source.required` makes a null a dead letter before the sink sees it.
                for (column, input) in AvroColumnTypes.columns(name, input: path, avro, nullable: optional, startingAt: columns.count) {
                    columns.append(column)
                    slots.append(b.slot(for: .input(input)))
                }
            case .computed(_, let t):
                let k = t.nonNull
                let type: FilesSinkSpec.ColumnType
                if k == .int { type = .int64 }
                else if !k.isEmpty && k.isSubset(of: .number) { type = .double }
                else if k == .bool { type = .boolean }
                else { type = .string }
                columns.append(FilesSinkSpec.Column(name, type))
                slots.append(b.slot(for: binding))
            }
        }
        return (columns, slots)
    }
}
