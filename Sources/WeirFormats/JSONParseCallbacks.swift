import CYajl

/// yajl's SAX callbacks: match keys against the projection trie, fill the
/// row's cells, capture top-level members, and enforce the limits. A callback
/// that finds a problem records it in the state and returns 0, which cancels
/// the parse; nothing here can trap on input.
enum JSONParseCallbacks {
    typealias State = UnsafeMutablePointer<JSONParseState>

    static let table = yajl_callbacks(
        yajl_null: onNull, yajl_boolean: onBool, yajl_integer: nil, yajl_double: nil,
        yajl_number: onNumber, yajl_string: onString, yajl_start_map: onStartMap,
        yajl_map_key: onMapKey, yajl_end_map: onEnd, yajl_start_array: onStartArray,
        yajl_end_array: onEnd)

    // MARK: helpers

    @inline(__always) static func consumed(_ s: State) -> Int {
        guard let h = s.pointee.handle else { return 0 }
        return Int(yajl_get_bytes_consumed(h))
    }

    static func fail(_ s: State, _ kind: DecodeError.Kind, at offset: Int, _ message: String) -> Int32 {
        s.pointee.failure = DecodeError(kind, offset: s.pointee.frameOffset + offset, message)
        return 0
    }

    /// Common to every value: refuses a value after the top-level object
    /// (the handle accepts several values, so that it can be reused) and takes
    /// the trie node of the key the value belongs to.
    @inline(__always) static func beginValue(_ s: State) -> Int32? {
        if s.pointee.depth == 0 {
            if s.pointee.topFinished { _ = trailing(s) } else { _ = fail(s, .notAnObject, at: 0, "expected a JSON object") }
            return nil
        }
        let node = s.pointee.pendingNode
        s.pointee.pendingNode = -1
        return node
    }

    /// Writes `cell` into every slot of `node` (a path may be projected twice).
    @inline(__always) static func fill(_ s: State, _ node: JSONFieldMatcher.Node, _ cell: Cell) {
        guard let row = s.pointee.row else { return }
        let slots = s.pointee.matcher.slots
        var i = Int(node.firstSlot)
        let end = i + Int(node.slotCount)
        while i < end {
            let slot = Int(slots[i])
            if slot < row.pointee.cells.count { row.pointee.cells[slot] = cell }
            i += 1
        }
    }

    /// Copies bytes into the row's arena.
    @inline(__always) static func store(_ s: State, _ p: UnsafeRawPointer?, _ n: Int) -> ByteSpan {
        guard let row = s.pointee.row else { return ByteSpan(start: 0, count: 0) }
        return row.pointee.store(UnsafeRawBufferPointer(start: n > 0 ? p : nil, count: n))
    }

    /// A top-level value ended: finish its captured member.
    static func endMember(_ s: State) {
        let n = s.pointee.members.count
        guard n > 0, let input = s.pointee.input else { return }
        let end = consumed(s)
        var m = s.pointee.members[n - 1]
        var start = Int(m.keyEnd) - s.pointee.frameOffset
        while start < end, isSpaceOrColon(input[start]) { start += 1 }
        m.valueStart = Int32(truncatingIfNeeded: s.pointee.frameOffset + start)
        m.valueEnd = Int32(truncatingIfNeeded: s.pointee.frameOffset + end)
        s.pointee.members[n - 1] = m
        s.pointee.lastTopEnd = end
    }

    @inline(__always) static func isSpaceOrColon(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == 0x3A
    }

    /// A second value after the top-level object.
    static func trailing(_ s: State) -> Int32 {
        var at = s.pointee.topEnd
        if let input = s.pointee.input {
            while at < s.pointee.inputCount, JSONRowDecoder.isSpace(input[at]) { at += 1 }
        }
        return fail(s, .syntax, at: at, "trailing garbage after the object")
    }

    @inline(__always) static func finishScalar(_ s: State) -> Int32 {
        if s.pointee.capture, s.pointee.depth == 1 { endMember(s) }
        return 1
    }

    // MARK: scalars

    static let onNull: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { ctx in
        guard let s = ctx?.assumingMemoryBound(to: JSONParseState.self), let node = beginValue(s) else { return 0 }
        if node >= 0 { let n = s.pointee.matcher.nodes[Int(node)]; if n.slotCount > 0 { fill(s, n, .null) } }
        return finishScalar(s)
    }

    static let onBool: @convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32 = { ctx, value in
        guard let s = ctx?.assumingMemoryBound(to: JSONParseState.self), let node = beginValue(s) else { return 0 }
        if node >= 0 { let n = s.pointee.matcher.nodes[Int(node)]; if n.slotCount > 0 { fill(s, n, .bool(value != 0)) } }
        return finishScalar(s)
    }

    static let onNumber: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int) -> Int32 = { ctx, text, count in
        guard let s = ctx?.assumingMemoryBound(to: JSONParseState.self), let node = beginValue(s) else { return 0 }
        if node >= 0 {
            let n = s.pointee.matcher.nodes[Int(node)]
            if n.slotCount > 0 {       // numbers nobody reads are never converted
                guard let text, let cell = UnsafeRawPointer(text).withMemoryRebound(
                    to: UInt8.self, capacity: count, { JSONNumber.parse($0, count: count) })
                else { return fail(s, .syntax, at: consumed(s), "number out of range") }
                fill(s, n, cell)
            }
        }
        return finishScalar(s)
    }

    static let onString: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<UInt8>?, Int) -> Int32 = { ctx, text, count in
        guard let s = ctx?.assumingMemoryBound(to: JSONParseState.self), let node = beginValue(s) else { return 0 }
        if node >= 0 {
            let n = s.pointee.matcher.nodes[Int(node)]
            if n.slotCount > 0 { fill(s, n, .string(store(s, text, count))) }
        }
        return finishScalar(s)
    }

    // MARK: containers

    static let onStartMap: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { ctx in
        guard let s = ctx?.assumingMemoryBound(to: JSONParseState.self) else { return 0 }
        if s.pointee.depth == 0 {
            if s.pointee.topFinished { return trailing(s) }
            s.pointee.frames[0] = JSONParseState.Frame(node: 0, captureNode: -1, captureStart: 0)
            s.pointee.depth = 1
            if s.pointee.capture { s.pointee.lastTopEnd = consumed(s) }
            return 1
        }
        return openContainer(s, isArray: false)
    }

    static let onStartArray: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { ctx in
        guard let s = ctx?.assumingMemoryBound(to: JSONParseState.self) else { return 0 }
        if s.pointee.depth == 0 {
            if s.pointee.topFinished { return trailing(s) }
            return fail(s, .notAnObject, at: 0, "expected a JSON object, found an array")
        }
        return openContainer(s, isArray: true)
    }

    static func openContainer(_ s: State, isArray: Bool) -> Int32 {
        guard let node = beginValue(s) else { return 0 }
        let depth = s.pointee.depth
        if depth >= s.pointee.maxDepth {
            return fail(s, .tooDeep, at: consumed(s) - 1, "nesting deeper than \(s.pointee.maxDepth)")
        }
        var frame = JSONParseState.Frame(node: -1, captureNode: -1, captureStart: 0)
        if node >= 0 {
            let n = s.pointee.matcher.nodes[Int(node)]
            // Paths continue through objects only: nothing inside an array matches.
            if !isArray, n.edgeCount > 0 { frame.node = node }
            if n.slotCount > 0 { frame.captureNode = node; frame.captureStart = consumed(s) - 1 }
        }
        s.pointee.frames[depth] = frame
        s.pointee.depth = depth + 1
        return 1
    }

    static let onEnd: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { ctx in
        guard let s = ctx?.assumingMemoryBound(to: JSONParseState.self) else { return 0 }
        let depth = s.pointee.depth - 1
        guard depth >= 0 else { return fail(s, .syntax, at: consumed(s), "unbalanced container end") }
        let frame = s.pointee.frames[depth]
        s.pointee.depth = depth
        if frame.captureNode >= 0 {
            let end = consumed(s)
            guard let input = s.pointee.input, end > frame.captureStart, end <= s.pointee.inputCount else {
                return fail(s, .syntax, at: end, "inconsistent container bounds")
            }
            let span = store(s, input + frame.captureStart, end - frame.captureStart)
            fill(s, s.pointee.matcher.nodes[Int(frame.captureNode)], .json(span))
        }
        if depth == 0 {
            s.pointee.topFinished = true
            s.pointee.topEnd = consumed(s)
        } else if depth == 1, s.pointee.capture {
            endMember(s)
        }
        return 1
    }

    // MARK: keys

    static let onMapKey: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<UInt8>?, Int) -> Int32 = { ctx, key, count in
        guard let s = ctx?.assumingMemoryBound(to: JSONParseState.self) else { return 0 }
        let depth = s.pointee.depth
        guard depth > 0 else { return fail(s, .syntax, at: consumed(s), "key outside an object") }
        let keyBytes = key ?? emptyKey
        let frameNode = s.pointee.frames[depth - 1].node
        var matched: Int32 = -1
        if frameNode >= 0 { matched = s.pointee.matcher.child(of: frameNode, key: keyBytes, count: count) }
        if matched >= 0 {
            // The trie node stands for one path, and each object on it is entered
            // at most once per record, so a second match is a repeated key.
            if s.pointee.seen[Int(matched)] == s.pointee.generation { return duplicate(s, keyBytes, count) }
            s.pointee.seen[Int(matched)] = s.pointee.generation
        } else if depth == 1 {
            switch s.pointee.topKeys.insert(keyBytes, count: count) {
            case nil: return duplicate(s, keyBytes, count)
            case false?: return fail(s, .tooLarge, at: consumed(s), "out of memory tracking keys")
            case true?: break
            }
        }
        s.pointee.pendingNode = matched
        if depth == 1, s.pointee.capture, let input = s.pointee.input {
            let end = consumed(s)
            var start = s.pointee.lastTopEnd
            while start < end, input[start] != UInt8(ascii: "\"") { start += 1 }   // only ws and ',' precede a key
            let off = s.pointee.frameOffset
            let dropped = matched >= 0 && s.pointee.matcher.nodes[Int(matched)].dropped
            guard s.pointee.members.append(JSONMember(
                keyStart: Int32(truncatingIfNeeded: off + start), keyEnd: Int32(truncatingIfNeeded: off + end),
                valueStart: Int32(truncatingIfNeeded: off + end), valueEnd: Int32(truncatingIfNeeded: off + end),
                dropped: dropped))
            else { return fail(s, .tooLarge, at: end, "out of memory capturing members") }
        }
        return 1
    }

    static func duplicate(_ s: State, _ key: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
        let shown = String(decoding: UnsafeBufferPointer(start: key, count: min(count, 100)), as: UTF8.self)
        return fail(s, .duplicateKey, at: consumed(s), "duplicate key \"\(shown)\"")
    }

    private static let emptyKeyStorage: UnsafeMutablePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1); p.initialize(to: 0); return p
    }()
    static var emptyKey: UnsafePointer<UInt8> { UnsafePointer(emptyKeyStorage) }
}
