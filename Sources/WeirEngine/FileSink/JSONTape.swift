import WeirFormats

/// A JSON value parsed into flat, reused arrays (one node per value, in
/// document order): what the part writer stripes a nested column from. Every
/// node knows where its subtree ends, so children are walked without a tree
/// of objects; strings and object keys are unescaped into `values.arena`.
/// No allocation once the arrays have grown to the largest value.
struct JSONTape {
    enum Kind: UInt8 { case scalar, array, object }

    /// Per node: scalar, array or object.
    private(set) var kinds: [Kind] = []
    /// Per node: the index after its subtree (the next sibling).
    private(set) var ends: [Int32] = []
    /// Per node: its member key (object members), else an empty span.
    private(set) var keys: [ByteSpan] = []
    /// Per node: the scalar's cell (`.null` for containers); strings in its arena.
    var values = Row(slotCount: 0, arenaCapacity: 256)

    /// Nesting deeper than this is refused (the Avro decoder's own limit is lower).
    static let maxDepth = 64

    /// Parses `b`; false for malformed or too deeply nested JSON.
    mutating func parse(_ b: UnsafeRawBufferPointer, number: inout [UInt8]) -> Bool {
        kinds.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        values.cells.removeAll(keepingCapacity: true)
        values.arena.removeAll(keepingCapacity: true)
        var i = JSONArrayCells.skipSpace(b, 0)
        guard value(b, &i, key: ByteSpan(start: 0, count: 0), depth: 0, number: &number) else { return false }
        return JSONArrayCells.skipSpace(b, i) == b.count
    }

    var count: Int { kinds.count }

    /// The first child of container `node`, or nil when it is empty.
    @inline(__always) func firstChild(_ node: Int) -> Int? { node + 1 < Int(ends[node]) ? node + 1 : nil }
    /// The next sibling inside `parent`, or nil after the last.
    @inline(__always) func next(_ child: Int, in parent: Int) -> Int? {
        let n = Int(ends[child])
        return n < Int(ends[parent]) ? n : nil
    }

    /// The member of object `node` whose key is `name`, or nil.
    func member(_ node: Int, _ name: UnsafeRawBufferPointer) -> Int? {
        var c = firstChild(node)
        while let k = c {
            if values.withBytes(keys[k], { $0.elementsEqual(name) }) { return k }
            c = next(k, in: node)
        }
        return nil
    }

    private mutating func push(_ kind: Kind, _ cell: Cell, key: ByteSpan) -> Int {
        kinds.append(kind)
        ends.append(0)
        keys.append(key)
        values.cells.append(cell)
        return kinds.count - 1
    }

    private mutating func value(_ b: UnsafeRawBufferPointer, _ i: inout Int, key: ByteSpan, depth: Int, number: inout [UInt8]) -> Bool {
        guard i < b.count, depth <= Self.maxDepth else { return false }
        let c = b[i]
        let node: Int
        switch c {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let object = c == UInt8(ascii: "{")
            node = push(object ? .object : .array, .null, key: key)
            let close = object ? UInt8(ascii: "}") : UInt8(ascii: "]")
            i = JSONArrayCells.skipSpace(b, i + 1)
            if i < b.count, b[i] == close {
                i += 1
            } else {
                while true {
                    var k = ByteSpan(start: 0, count: 0)
                    if object {
                        guard i < b.count, b[i] == UInt8(ascii: "\"") else { return false }
                        let start = values.arena.count
                        guard let after = JSONArrayCells.string(b, i + 1, into: &values.arena) else { return false }
                        k = ByteSpan(start: start, count: values.arena.count - start)
                        i = JSONArrayCells.skipSpace(b, after)
                        guard i < b.count, b[i] == UInt8(ascii: ":") else { return false }
                        i = JSONArrayCells.skipSpace(b, i + 1)
                    }
                    guard value(b, &i, key: k, depth: depth + 1, number: &number) else { return false }
                    i = JSONArrayCells.skipSpace(b, i)
                    guard i < b.count else { return false }
                    if b[i] == UInt8(ascii: ",") { i = JSONArrayCells.skipSpace(b, i + 1); continue }
                    guard b[i] == close else { return false }
                    i += 1
                    break
                }
            }
        case UInt8(ascii: "\""):
            let start = values.arena.count
            guard let after = JSONArrayCells.string(b, i + 1, into: &values.arena) else { return false }
            node = push(.scalar, .string(ByteSpan(start: start, count: values.arena.count - start)), key: key)
            i = after
        case UInt8(ascii: "n"):
            guard JSONArrayCells.literal(b, i, "null") else { return false }
            node = push(.scalar, .null, key: key); i += 4
        case UInt8(ascii: "t"):
            guard JSONArrayCells.literal(b, i, "true") else { return false }
            node = push(.scalar, .bool(true), key: key); i += 4
        case UInt8(ascii: "f"):
            guard JSONArrayCells.literal(b, i, "false") else { return false }
            node = push(.scalar, .bool(false), key: key); i += 5
        default:
            guard c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) else { return false }
            var j = i
            var integral = true
            while j < b.count {
                let d = b[j]
                if d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") || d == UInt8(ascii: "-") || d == UInt8(ascii: "+") { j += 1; continue }
                if d == UInt8(ascii: ".") || d == UInt8(ascii: "e") || d == UInt8(ascii: "E") { integral = false; j += 1; continue }
                break
            }
            guard let cell = JSONArrayCells.number(b, i, j, integral: integral, scratch: &number) else { return false }
            node = push(.scalar, cell, key: key)
            i = j
        }
        ends[node] = Int32(truncatingIfNeeded: kinds.count)
        return true
    }
}
