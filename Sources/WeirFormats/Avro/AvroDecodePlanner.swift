/// Compiles (writer schema, reader schema, projection) into a decode plan:
/// fields nobody reads are skipped without being decoded, projected fields go
/// straight into their row slots, reader defaults fill fields the writer
/// lacks. Runs once per writer schema id, off the per-record path.
struct AvroDecodePlanner {
    /// The paths the pipeline reads, as a tree; a node with a slot wants the whole value.
    final class Need {
        var slot: Int32?
        var children: [String: Need] = [:]
    }

    private(set) var programs: [[AvroDecodeOp]] = []
    private(set) var constants: [AvroConstant] = []
    private(set) var tables: [[Int32]] = []
    private var constantIndex: [String: Int32] = [:]

    /// Compiles the plan; program 0 is the root.
    static func plan(writer: AvroType, reader: AvroType, fields: [FieldPath], renderWhole: Bool,
                     droppedTopLevelKeys: Set<String>) throws(DecodeError) -> AvroDecodePlan {
        let problems = AvroResolution.problems(writer: writer, reader: reader)
        if !problems.isEmpty {
            throw DecodeError(.schemaMismatch, offset: 0, problems.joined(separator: "; "))
        }
        let root = Need()
        for (i, f) in fields.enumerated() {
            var node = root
            for c in f.components {
                if let n = node.children[c] { node = n } else { let n = Need(); node.children[c] = n; node = n }
            }
            node.slot = Int32(i)
        }
        var p = AvroDecodePlanner()
        p.programs.append([])
        var ops: [AvroDecodeOp] = []
        if renderWhole {
            var whole: [AvroDecodeOp] = [.beginJSON]
            p.emit(writer, reader, dest: AvroDecodeOp.json, into: &whole, topLevel: droppedTopLevelKeys)
            whole.append(.endJSON(slot: AvroDecodeOp.json))
            ops.append(.fork(program: p.add(whole)))
        }
        p.project(writer, reader, need: root, into: &ops)
        p.programs[0] = ops
        return AvroDecodePlan(programs: p.programs, constants: p.constants, tables: p.tables,
                              slotCount: fields.count, rendersWhole: renderWhole)
    }

    private mutating func add(_ program: [AvroDecodeOp]) -> Int32 {
        programs.append(program)
        return Int32(programs.count - 1)
    }

    private mutating func table(_ t: [Int32]) -> Int32 {
        tables.append(t)
        return Int32(tables.count - 1)
    }

    private mutating func constant(_ c: AvroConstant, key: String? = nil) -> Int32 {
        if let key, let i = constantIndex[key] { return i }
        constants.append(c)
        let i = Int32(constants.count - 1)
        if let key { constantIndex[key] = i }
        return i
    }

    private mutating func text(_ s: String) -> Int32 {
        var c = AvroConstant(kind: .string)
        c.text = Array(s.utf8)
        var json = ""
        JSONValue.quote(s, into: &json)
        c.json = Array(json.utf8)
        return constant(c, key: "t:" + s)
    }

    // MARK: projection (navigating to the fields read)

    private mutating func project(_ writer: AvroType, _ reader: AvroType, need: Need, into ops: inout [AvroDecodeOp]) {
        let w = writer.underlying, r = reader.underlying
        if case .union(let wb) = w {
            var branches: [Int32] = []
            for b in wb {
                var sub: [AvroDecodeOp] = []
                if let rb = resolve(b, r) { value(b, rb, need: need, into: &sub) } else { skip(b, into: &sub) }
                branches.append(add(sub))
            }
            ops.append(.union(table: table(branches)))
            return
        }
        if case .union(let rb) = r {
            guard let i = AvroResolution.branch(for: w, in: rb) else { skip(w, into: &ops); return }
            project(w, rb[i], need: need, into: &ops)
            return
        }
        guard case .record(let wr) = w, case .record(let rr) = r else {
            skip(w, into: &ops)                                // sub-fields of a non-record: missing
            return
        }
        var seen: Set<String> = []
        for wf in wr.fields {
            guard let rf = rr.fields.first(where: { AvroResolution.writerField(for: $0, in: wr)?.name == wf.name }),
                  let child = need.children[rf.name] else {
                skip(wf.type, into: &ops)
                continue
            }
            seen.insert(rf.name)
            value(wf.type, rf.type, need: child, into: &ops)
        }
        for rf in rr.fields where !seen.contains(rf.name) {
            guard let child = need.children[rf.name], let d = rf.defaultValue else { continue }
            defaults(d, rf.type, need: child, into: &ops)
        }
    }

    /// A value the pipeline reads as a whole (slot), by sub-fields (children), or both.
    private mutating func value(_ writer: AvroType, _ reader: AvroType, need: Need, into ops: inout [AvroDecodeOp]) {
        if let slot = need.slot {
            if need.children.isEmpty {
                emit(writer, reader, dest: slot, into: &ops)
            } else {
                var whole: [AvroDecodeOp] = []
                emit(writer, reader, dest: slot, into: &whole)
                ops.append(.fork(program: add(whole)))
                project(writer, reader, need: need, into: &ops)
            }
        } else {
            project(writer, reader, need: need, into: &ops)
        }
    }

    /// Reader defaults for a field the writer lacks, down to the paths read.
    private mutating func defaults(_ d: JSONValue, _ type: AvroType, need: Need, into ops: inout [AvroDecodeOp]) {
        if let slot = need.slot { ops.append(.constant(dest: slot, constant: constant(Self.cell(d, type)))) }
        guard !need.children.isEmpty else { return }
        var t = type.underlying
        if case .union(let b) = t, let first = b.first { t = first.underlying }
        guard case .record(let r) = t, case .object(let o) = d else { return }
        for f in r.fields {
            guard let child = need.children[f.name], let v = o[f.name] ?? f.defaultValue else { continue }
            defaults(v, f.type, need: child, into: &ops)
        }
    }

    /// The reader type a writer type resolves to (union branch or itself).
    private func resolve(_ w: AvroType, _ r: AvroType) -> AvroType? {
        if case .union(let rb) = r.underlying {
            return AvroResolution.branch(for: w, in: rb).map { rb[$0] }
        }
        return AvroResolution.problems(writer: w, reader: r).isEmpty ? r : nil
    }

    // MARK: decoding into a destination

    private mutating func emit(_ writer: AvroType, _ reader: AvroType, dest: Int32, into ops: inout [AvroDecodeOp],
                               topLevel dropped: Set<String>? = nil) {
        let w = writer.underlying
        if case .union(let wb) = w {
            var branches: [Int32] = []
            for b in wb {
                if let rb = resolve(b, reader) {
                    var sub: [AvroDecodeOp] = []
                    emit(b, rb, dest: dest, into: &sub, topLevel: dropped)
                    branches.append(add(sub))
                } else {
                    branches.append(add([.fail(constant: text("the writer's union branch \(b.typeName) has no match in the reader's schema"))]))
                }
            }
            ops.append(.union(table: table(branches)))
            return
        }
        if case .union(let rb) = reader.underlying {
            guard let i = AvroResolution.branch(for: w, in: rb) else {
                ops.append(.fail(constant: text("the writer's \(w.typeName) has no branch in the reader's union")))
                return
            }
            emit(writer, rb[i], dest: dest, into: &ops, topLevel: dropped)
            return
        }
        let r = reader.underlying
        switch (w, r) {
        case (.null, _): ops.append(.null(dest: dest))
        case (.boolean, _): ops.append(.boolean(dest: dest))
        case (.int, .int), (.int, .long), (.long, .long): ops.append(.integer(dest: dest, int32: isInt(w)))
        case (.int, .float), (.int, .double), (.long, .float), (.long, .double):
            ops.append(.integerAsDouble(dest: dest, int32: isInt(w)))
        case (.float, _): ops.append(.float(dest: dest))
        case (.double, _): ops.append(.double(dest: dest))
        case (.string, .string), (.bytes, .string): ops.append(.string(dest: dest))
        case (.string, .bytes), (.bytes, .bytes):
            if case .decimal(let p, let s)? = reader.logicalType {
                ops.append(.decimalBytes(dest: dest, precision: Int32(p), scale: Int32(s)))
            } else {
                ops.append(.bytes(dest: dest))
            }
        case (.fixed(let f), _):
            if case .decimal(let p, let s)? = reader.logicalType {
                ops.append(.decimalFixed(dest: dest, size: Int32(f.size), precision: Int32(p), scale: Int32(s)))
            } else {
                ops.append(.fixed(dest: dest, size: Int32(f.size)))
            }
        case (.enumeration(let we), .enumeration(let re)):
            let map: [Int32] = we.symbols.map { s in
                if re.symbols.contains(s) { return text(s) }
                if let d = re.defaultSymbol { return text(d) }
                return -1
            }
            ops.append(.enumeration(dest: dest, table: table(map)))
        case (.array(let wi), .array(let ri)):
            wrap(dest, &ops) { p, sub in
                var item: [AvroDecodeOp] = []
                p.emit(wi, ri, dest: AvroDecodeOp.json, into: &item)
                sub.append(.array(items: p.add(item)))
            }
        case (.map(let wv), .map(let rv)):
            wrap(dest, &ops) { p, sub in
                var item: [AvroDecodeOp] = []
                p.emit(wv, rv, dest: AvroDecodeOp.json, into: &item)
                sub.append(.map(values: p.add(item)))
            }
        case (.record(let wr), .record(let rr)):
            // Through a cached program, so recursive records compile once.
            let key = "e:\(wr.fullName)>\(rr.fullName)\(dropped == nil ? "" : ":top")"
            let program: Int32
            if let cached = cache[key] {
                program = cached
            } else {
                program = add([])
                cache[key] = program
                var sub: [AvroDecodeOp] = [.openObject]
                var seen: Set<String> = []
                for wf in wr.fields {
                    guard let rf = rr.fields.first(where: { AvroResolution.writerField(for: $0, in: wr)?.name == wf.name }) else {
                        skip(wf.type, into: &sub)
                        continue
                    }
                    seen.insert(rf.name)
                    sub.append(keyOp(rf.name, dropped))
                    emit(wf.type, rf.type, dest: AvroDecodeOp.json, into: &sub)
                }
                for rf in rr.fields where !seen.contains(rf.name) {
                    guard let d = rf.defaultValue else { continue }
                    sub.append(keyOp(rf.name, dropped))
                    sub.append(.constant(dest: AvroDecodeOp.json, constant: constant(Self.cell(d, rf.type))))
                }
                sub.append(.closeObject)
                programs[Int(program)] = sub
            }
            wrap(dest, &ops) { _, sub in sub.append(.call(program: program)) }
        default:
            ops.append(.fail(constant: text("the writer's \(w.typeName) cannot be read as \(r.typeName)")))
        }
    }

    private mutating func keyOp(_ name: String, _ dropped: Set<String>?) -> AvroDecodeOp {
        let c = text(name)
        if let dropped { return .memberKey(constant: c, dropped: dropped.contains(name)) }
        return .key(constant: c)
    }

    /// A container read into a slot is built as JSON text in the row arena.
    private mutating func wrap(_ dest: Int32, _ ops: inout [AvroDecodeOp], _ body: (inout AvroDecodePlanner, inout [AvroDecodeOp]) -> Void) {
        if dest == AvroDecodeOp.json {
            body(&self, &ops)
        } else {
            ops.append(.beginJSON)
            body(&self, &ops)
            ops.append(.endJSON(slot: dest))
        }
    }

    private func isInt(_ t: AvroType) -> Bool { if case .int = t { return true }; return false }

    // MARK: skipping

    private mutating func skip(_ type: AvroType, into ops: inout [AvroDecodeOp]) {
        switch type.underlying {
        case .null: break
        case .boolean: ops.append(.skip(bytes: 1))
        case .int, .long, .enumeration: ops.append(.skipVarint)
        case .float: ops.append(.skip(bytes: 4))
        case .double: ops.append(.skip(bytes: 8))
        case .string, .bytes: ops.append(.skipBytes)
        case .fixed(let f): if f.size > 0 { ops.append(.skip(bytes: Int32(f.size))) }
        case .array(let items):
            var sub: [AvroDecodeOp] = []
            skip(items, into: &sub)
            ops.append(.skipArray(items: add(sub)))
        case .map(let values):
            var sub: [AvroDecodeOp] = []
            skip(values, into: &sub)
            ops.append(.skipMap(values: add(sub)))
        case .union(let branches):
            var t: [Int32] = []
            for b in branches {
                var sub: [AvroDecodeOp] = []
                skip(b, into: &sub)
                t.append(add(sub))
            }
            ops.append(.union(table: table(t)))
        case .record(let r):
            let key = "s:" + r.fullName
            if let cached = cache[key] { ops.append(.call(program: cached)); return }
            let program = add([])
            cache[key] = program                          // a recursive record calls itself
            var sub: [AvroDecodeOp] = []
            for f in r.fields { skip(f.type, into: &sub) }
            programs[Int(program)] = sub
            ops.append(.call(program: program))
        case .logical(_, let t): skip(t, into: &ops)
        }
    }
    private var cache: [String: Int32] = [:]

    // MARK: defaults as constants

    static func cell(_ v: JSONValue, _ type: AvroType) -> AvroConstant {
        var t = type.underlying
        if case .union(let b) = t, let first = b.first { t = first.underlying }
        var c: AvroConstant
        switch (t, v) {
        case (_, .null): c = AvroConstant(kind: .null)
        case (_, .bool(let b)): c = AvroConstant(kind: .bool); c.int = b ? 1 : 0
        case (.float, .int(let i)), (.double, .int(let i)): c = AvroConstant(kind: .double); c.double = Double(i)
        case (_, .int(let i)): c = AvroConstant(kind: .int); c.int = i
        case (_, .double(let d)): c = AvroConstant(kind: .double); c.double = d
        case (.string, .string(let s)), (.enumeration, .string(let s)): c = AvroConstant(kind: .string); c.text = Array(s.utf8)
        default: c = AvroConstant(kind: .json)                 // bytes/fixed strings, records, arrays, maps: as JSON text
        }
        c.json = Array(v.text.utf8)
        if c.kind == .json { c.text = c.json }
        return c
    }
}
