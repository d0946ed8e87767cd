import WeirEngine
import WeirFormats

/// Binds the format settings to slots: required fields to input slots, each
/// field of an Avro output schema to the slot its value comes from.
enum FormatBinding {
    /// - Parameter stateful: the job ends in a keyed window/reduce stage: its
    ///   rows are the output, checked by `ResultFormatBinding` once the stage is built.
    static func bind(_ definition: PipelineDefinition, _ b: inout ProgramBuilder, stateful: Bool) -> FormatSpec {
        let f = definition.formats
        var spec = FormatSpec(registry: f.registry, readerSchema: f.readerSchema)
        spec.subjectStrategy = f.subjectStrategy
        // Files hold JSON lines; the registry formats are Kafka's.
        if definition.source.isFile, definition.source.format != .json {
            b.error(definition.source.location, "format \(definition.source.format.rawValue) needs a Kafka source; files are read as JSON lines")
        }
        if case .kafka = definition.sink.kind {} else if definition.sink.format != .json {
            b.error(definition.sink.location, "format \(definition.sink.format.rawValue) needs a Kafka sink; files are written as JSON lines")
        }
        for r in f.required {
            guard let path = FieldPath(parsing: r.value) else { continue }
            spec.required.append((r.value, b.inputSlot(path)))
        }
        if stateful {
            spec.output = f.output        // result fields are matched by name when the task starts
            return spec
        }
        let sinkFormat = definition.sink.format
        if sinkFormat == .avro || sinkFormat == .jsonSchema, f.output == nil {
            let passThrough = definition.source.format == .avro && b.output.mode == .original && sinkFormat == .avro
            if !passThrough {
                b.error(definition.sink.location, "format \(sinkFormat.rawValue) on the sink needs sink.schema (the output record's schema, or {file: path})")
            }
        }
        guard var output = f.output else { return spec }
        if output.kind == .avro, let schema = output.avro, case .record(let record) = schema.root.underlying {
            // An output field takes the value of the same-named field of the
            // output record as the steps leave it: computed, selected, or (when
            // the record is kept/edited) the input field of that name.
            let plan = b.output
            var slots: [String: Int] = [:]
            for field in record.fields {
                if let entry = plan.fields.first(where: { $0.name == field.name }) {
                    slots[field.name] = b.slot(for: entry.binding)
                } else if plan.mode != .projected, !plan.removed.contains(field.name) {
                    slots[field.name] = b.inputSlot(FieldPath([field.name]))
                } else if field.defaultValue == nil, !isNullable(field.type) {
                    b.error(f.outputLocation ?? definition.sink.location,
                            "output schema field '\(field.name)' is not in the output record and has no default")
                }
            }
            output.slots = slots
        }
        spec.output = output
        return spec
    }

    static func isNullable(_ t: AvroType) -> Bool {
        if case .union(let branches) = t.underlying {
            return branches.contains { if case .null = $0.underlying { return true }; return false }
        }
        return false
    }
}
