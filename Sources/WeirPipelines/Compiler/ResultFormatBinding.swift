import WeirEngine
import WeirFormats

/// Checks that window/reduce results can be written in the sink's format,
/// before anything starts: Avro needs every result field name to be an Avro
/// name, and a given `sink.schema` must be able to hold the results (its
/// fields match result fields by name; the others need a default).
enum ResultFormatBinding {
    static func check(_ definition: PipelineDefinition, _ plan: StatefulPlan, _ stage: JobSpec.StatefulStage,
                      _ b: inout ProgramBuilder) {
        switch definition.sink.format {
        case .json: return
        case .jsonSchema:
            b.error(definition.sink.location, "window, reduce and pattern results are written as json or avro; format json-schema on their sink is not supported yet")
            return
        case .avro: break
        }
        var namesOK = true
        for k in plan.keys where !AvroNames.isValid(k.name.value) {
            b.error(k.name.location, "key field '\(k.name.value)' is not a valid Avro field name (letters, digits and '_', not starting with a digit); name it with 'as'")
            namesOK = false
        }
        for a in plan.aggregates.map(\.name) + (plan.pattern?.measures.map(\.name) ?? []) where !AvroNames.isValid(a.value) {
            b.error(a.location, "'\(a.value)' is not a valid Avro field name (letters, digits and '_', not starting with a digit); give the aggregate another name")
            namesOK = false
        }
        guard namesOK, let op = try? stage.makeOperator() else { return }   // the stage builder reported an operator it refused
        let types = op.resultTypes(inputKinds: stage.inputKinds)
        guard let given = definition.formats.output else {
            do { _ = try ResultSchema.derive(pipeline: definition.name.value, operator: op, inputKinds: stage.inputKinds) }
            catch { b.error(definition.sink.location, "the results' Avro schema: \(error)") }
            return
        }
        guard let schema = given.avro, case .record(let record) = schema.root.underlying else { return }
        let at = definition.formats.outputLocation ?? definition.sink.location
        var typeOf: [String: ResultFieldType] = [:]
        for (i, f) in op.outputLayout.enumerated() where i < types.count { typeOf[f.name] = types[i] }
        for field in record.fields {
            if let t = typeOf[field.name] {
                if let why = misfit(t, field.type) {
                    b.error(at, "output schema field '\(field.name)' is \(field.type.typeName), but the result \(why)")
                }
            } else if field.defaultValue == nil, !FormatBinding.isNullable(field.type) {
                b.error(at, "output schema field '\(field.name)' is not a result field (the results have: \(op.outputLayout.map(\.name).joined(separator: ", "))) and has no default")
            }
        }
    }

    /// Why a result of type `t` can never be written as `avro`; nil when some value can.
    /// (A value that can be written only sometimes — null into a non-null field —
    /// fails its task when it comes: docs/avro.md.)
    static func misfit(_ t: ResultFieldType, _ avro: AvroType) -> String? {
        switch t {
        case .timestampMillis:
            return accepted(avro).contains(.int) ? nil : "is a timestamp (epoch milliseconds)"
        case .list:
            return branches(avro).contains { if case .array = $0.underlying { return true }; return false } ? nil : "is an array (collect)"
        case .cells(let kinds):
            let values = kinds.nonNull
            if values.isEmpty { return accepted(avro).contains(.null) ? nil : "is always null" }
            return values.isDisjoint(with: accepted(avro)) ? "can be \(kinds)" : nil
        }
    }

    private static func branches(_ t: AvroType) -> [AvroType] {
        if case .union(let b) = t.underlying { return b }
        return [t]
    }

    /// The cell kinds `AvroRowEncoder` can write as `t`.
    private static func accepted(_ t: AvroType) -> CellKinds {
        var k = CellKinds()
        for b in branches(t) {
            if case .decimal? = b.logicalType { k.formUnion([.int, .double, .string]); continue }
            switch b.underlying {
            case .null: k.insert(.null)
            case .boolean: k.insert(.bool)
            case .int, .long: k.formUnion(.number)          // a double only when integral
            case .float, .double: k.formUnion(.number)
            case .string, .enumeration: k.insert(.string)
            case .bytes, .fixed: k.formUnion([.string, .json])
            case .record, .array, .map: k.insert(.json)
            default: break
            }
        }
        return k
    }
}
