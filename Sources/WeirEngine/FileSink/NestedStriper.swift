import WeirFormats
import WeirParquet

/// Writes one nested column's value (JSON text: lists of records, lists of
/// lists, maps) into its Parquet leaves with Dremel's repetition and
/// definition levels. The shape is compiled once into a flat node table with
/// each node's levels; per row the value is parsed into a reused `JSONTape`,
/// checked whole (`fits`), then striped (`write`). No allocation per row once
/// the tape has grown.
final class NestedStriper {
    struct Node {
        enum Kind { case leaf, record, list, map }
        var kind: Kind
        /// A leaf's type.
        var type: FilesSinkSpec.ColumnType
        var nullable: Bool
        /// The definition level when this node is present (a null here is `def - 1`).
        var def: Int
        /// Lists and maps: the repetition level of their second and later entries.
        var rep: Int
        /// Its leaves, relative to the column's first leaf.
        var firstLeaf: Int
        var leafCount: Int
        /// Its children's node indices in `children` (records: fields; lists: the element; maps: key, value).
        var childStart: Int
        var childCount: Int
        /// The field name a record looks this node up by.
        var name: [UInt8]
    }

    private var nodes: [Node] = []
    private var children: [Int] = []
    private var tape = JSONTape()
    private var number: [UInt8] = []
    /// Decimal and binary checks' bytes.
    private var scratch: [UInt8] = []
    /// Why the last `fits` said no (for the dead letter).
    private(set) var problem: StaticString = ""

    /// `baseDefinition`: the definition level of the records around the column (its nullable ones count).
    init(shape: NestedShape, nullable: Bool, baseDefinition: Int) {
        _ = add(shape, nullable: nullable, name: [], parentDef: baseDefinition, parentRep: 0, leaf: 0)
    }

    private func add(_ shape: NestedShape, nullable: Bool, name: [UInt8], parentDef: Int, parentRep: Int, leaf: Int) -> Int {
        let def = parentDef + (nullable ? 1 : 0)
        let index = nodes.count
        nodes.append(Node(kind: .leaf, type: .string, nullable: nullable, def: def, rep: parentRep, firstLeaf: leaf,
                          leafCount: shape.leafCount, childStart: 0, childCount: 0, name: name))
        var kids: [Int] = []
        switch shape {
        case .value(let t):
            nodes[index].type = t
        case .record(let fields):
            nodes[index].kind = .record
            var at = leaf
            for f in fields {
                kids.append(add(f.shape, nullable: f.nullable, name: Array(f.name.utf8), parentDef: def, parentRep: parentRep, leaf: at))
                at += f.shape.leafCount
            }
        case .list(let element, let elementNullable):
            // The repeated group `list` adds one definition and one repetition level.
            nodes[index].kind = .list
            nodes[index].rep = parentRep + 1
            kids.append(add(element, nullable: elementNullable, name: [], parentDef: def + 1, parentRep: parentRep + 1, leaf: leaf))
        case .map(let value, let valueNullable):
            nodes[index].kind = .map
            nodes[index].rep = parentRep + 1
            kids.append(add(.value(.string), nullable: false, name: [], parentDef: def + 1, parentRep: parentRep + 1, leaf: leaf))
            kids.append(add(value, nullable: valueNullable, name: [], parentDef: def + 1, parentRep: parentRep + 1, leaf: leaf + 1))
        }
        nodes[index].childStart = children.count
        nodes[index].childCount = kids.count
        children.append(contentsOf: kids)
        return index
    }

    /// Parses the cell's JSON text and checks it against the shape.
    func fits(_ text: UnsafeRawBufferPointer) -> Bool {
        guard tape.parse(text, number: &number) else { problem = "malformed JSON"; return false }
        return walk(0, value: 0, rep: 0, into: nil)
    }

    /// Writes what the last `fits` accepted into `columns` (the column's leaves).
    func write(_ columns: ArraySlice<ColumnWriter>, by owner: ParquetPartWriter) {
        _ = walk(0, value: 0, rep: 0, into: (columns, owner))
    }

    /// A null value (the column is nullable): one entry below its level in every leaf.
    func writeNull(_ columns: ArraySlice<ColumnWriter>) {
        levels(0, def: nodes[0].def - 1, rep: 0, columns)
    }

    private func levels(_ n: Int, def: Int, rep: Int, _ columns: ArraySlice<ColumnWriter>) {
        let start = columns.startIndex + nodes[n].firstLeaf
        var k = 0
        while k < nodes[n].leafCount { columns[start + k].appendLevels(definition: def, repetition: rep); k += 1 }
    }

    /// Checks (`into` nil) or writes node `n` for tape value `value` (nil: absent) at repetition `rep`.
    private func walk(_ n: Int, value: Int?, rep: Int,
                      into out: (columns: ArraySlice<ColumnWriter>, owner: ParquetPartWriter)?) -> Bool {
        let node = nodes[n]
        guard let v = value, !(tape.kinds[v] == .scalar && tape.values.cells[v].isNullish) else {
            guard node.nullable else { problem = "a null where the schema has none"; return false }
            if let out { levels(n, def: node.def - 1, rep: rep, out.columns) }
            return true
        }
        switch node.kind {
        case .leaf:
            let cell = tape.values.cells[v]
            guard tape.kinds[v] == .scalar else { problem = "an object or array where a value belongs"; return false }
            if let out {
                let c = out.columns[out.columns.startIndex + node.firstLeaf]
                c.nextRepetition(rep)
                out.owner.appendCell(cell, node.type, c, tape.values)
            } else if !CellFit.fits(cell, node.type, tape.values, scratch: &scratch) {
                problem = "a value that does not fit its type"
                return false
            }
        case .record:
            guard tape.kinds[v] == .object else { problem = "a non-object where a record belongs"; return false }
            var k = 0
            while k < node.childCount {
                let child = children[node.childStart + k]
                let member = nodes[child].name.withUnsafeBytes { tape.member(v, $0) }
                guard walk(child, value: member, rep: rep, into: out) else { return false }
                k += 1
            }
        case .list, .map:
            let isMap = node.kind == .map
            guard tape.kinds[v] == (isMap ? .object : .array) else {
                problem = isMap ? "a non-object where a map belongs" : "a non-array where a list belongs"
                return false
            }
            guard var item = tape.firstChild(v) else {
                // Empty: one entry at the level of the present list/map, no value.
                if let out { levels(n, def: node.def, rep: rep, out.columns) }
                return true
            }
            var r = rep
            while true {
                if isMap {
                    let keyNode = children[node.childStart]
                    if let out {
                        let c = out.columns[out.columns.startIndex + nodes[keyNode].firstLeaf]
                        c.nextRepetition(r)
                        tape.values.withBytes(tape.keys[item]) { c.append(bytes: $0) }
                    }
                    guard walk(children[node.childStart + 1], value: item, rep: r, into: out) else { return false }
                } else {
                    guard walk(children[node.childStart], value: item, rep: r, into: out) else { return false }
                }
                r = node.rep
                guard let next = tape.next(item, in: v) else { break }
                item = next
            }
        }
        return true
    }
}
