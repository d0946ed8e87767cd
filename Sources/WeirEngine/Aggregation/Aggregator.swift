import WeirFormats

/// The aggregates of one operator, compiled: each gets a run of words in a
/// window's accumulator, and one `switch` per aggregate does the work — no
/// existential call, no allocation per record (stored values of
/// count-distinct/collect/first/last strings go to the partition's arena).
///
/// Word layouts (per aggregate, from its `offset`):
/// - count: n
/// - sum, avg: `ExactSum` (6 words)
/// - min, max: tag (0 none, 1 int, 2 double), value bits
/// - first, last: event time, tag (0 none, 1 int, 2 double, 3 bool, 5 string, 6 json), payload
///   (value bits, or the aux entry holding the text)
/// - countDistinct: count, head of the value chain in aux
/// - collect: count, head of the value chain in aux (newest first)
/// - custom: none (the accumulator lives in a `CustomAccumulatorStore`)
///
/// A class, not a struct: operators hold it in a stored property, and calling
/// a struct's method through a class property copies it (retaining each of its
/// arrays) on every record.
final class Aggregator {
    enum Op {
        case countAll, countField(Int)
        case sum(Int), avg(Int), min(Int), max(Int)
        case first(Int), last(Int)
        case countDistinct(Int)
        case collect(Int, maxSize: Int)
        case custom(storeIndex: Int)
    }

    let ops: [Op]
    let offsets: [Int]
    let names: [String]
    let width: Int
    let customs: [AnyCustomAggregator]
    /// The version-1 layout fingerprint's part (slots included).
    let signature: String
    /// How saved state describes each aggregate (`StateLayout`).
    let descriptions: [StateLayout.Aggregate]
    /// Reused buffers (encoded values, chain walks); capacity is kept.
    // one task thread owns this object and no access overlaps: skip dynamic exclusivity checks
    @exclusivity(unchecked) private var scratch: [UInt8] = []
    @exclusivity(unchecked) private var ids: [Int32] = []

    init(_ specs: [AggregateSpec], inputSlotCount: Int?) throws(WindowConfigError) {
        var ops: [Op] = [], offsets: [Int] = [], customs: [AnyCustomAggregator] = []
        var w = 0
        var seen = Set<String>()
        for s in specs {
            guard !s.name.isEmpty, seen.insert(s.name).inserted else {
                throw WindowConfigError("aggregate name \"\(s.name)\" is empty or used twice")
            }
            func slot() throws(WindowConfigError) -> Int {
                guard let i = s.input, i >= 0, inputSlotCount.map({ i < $0 }) ?? true else {
                    throw WindowConfigError("aggregate \"\(s.name)\" needs a valid input slot")
                }
                return i
            }
            offsets.append(w)
            switch s.function {
            case .count:
                if s.input == nil { ops.append(.countAll) } else { ops.append(.countField(try slot())) }
                w += 1
            case .sum: ops.append(.sum(try slot())); w += ExactSum.width
            case .avg: ops.append(.avg(try slot())); w += ExactSum.width
            case .min: ops.append(.min(try slot())); w += 2
            case .max: ops.append(.max(try slot())); w += 2
            case .first: ops.append(.first(try slot())); w += 3
            case .last: ops.append(.last(try slot())); w += 3
            case .countDistinct: ops.append(.countDistinct(try slot())); w += 2
            case .collect(let n):
                guard n > 0 && n <= 1_000_000 else { throw WindowConfigError("collect \"\(s.name)\": maxSize must be in 1...1000000") }
                ops.append(.collect(try slot(), maxSize: n)); w += 2
            case .custom(let c):
                ops.append(.custom(storeIndex: customs.count)); customs.append(c)
            }
        }
        self.ops = ops
        self.offsets = offsets
        self.names = specs.map(\.name)
        self.width = w
        self.customs = customs
        self.signature = specs.map(\.signature).joined(separator: ",")
        var descriptions: [StateLayout.Aggregate] = []
        for (a, spec) in specs.enumerated() {
            var d = spec.stateDescription
            d.words = (a + 1 < offsets.count ? offsets[a + 1] : w) - offsets[a]
            switch ops[a] {
            case .first, .last: d.side = .text
            case .countDistinct, .collect: d.side = .values
            case .custom: d.side = .blob
            default: d.side = .none
            }
            descriptions.append(d)
        }
        self.descriptions = descriptions
        scratch.reserveCapacity(256)
        ids.reserveCapacity(64)
    }

    func makeState() -> KeyedWindowState {
        KeyedWindowState(width: width, custom: customs.map { $0.makeStore() })
    }

    /// Aux owner id of aggregate `a` of window `w` (non-zero, unique per pair).
    @inline(__always) private func owner(_ w: Int32, _ a: Int) -> Int { Int(w) * ops.count + a + 1 }

    // MARK: per record

    /// Checks the inputs before any state changes, so a bad record leaves no trace.
    @inline(__always)
    func validate(_ row: Row, _ st: KeyedWindowState) throws(OperatorError) {
        for (a, op) in ops.enumerated() {
            switch op {
            case .sum(let s), .avg(let s), .min(let s), .max(let s):
                guard s < row.cells.count else { throw OperatorError("aggregate \(names[a]): input slot missing") }
                switch row.cells[s] {
                case .int, .double, .null, .missing: break
                default: throw OperatorError("aggregate \(names[a]): input is not a number")
                }
            case .first(let s), .last(let s), .countDistinct(let s), .collect(let s, _), .countField(let s):
                guard s < row.cells.count else { throw OperatorError("aggregate \(names[a]): input slot missing") }
            case .custom(let i): try st.custom[i].validate(row)
            case .countAll: break
            }
        }
    }

    /// A new window: the accumulator words are zero; set up side state.
    @inline(__always)
    func initialize(_ st: KeyedWindowState, _ w: Int32) {
        for a in 0..<ops.count {
            switch ops[a] {
            // chain heads start at -1 (0 is a valid aux id)
            case .countDistinct, .collect: st.acc[Int(w) * width + offsets[a] + 1] = UInt64(bitPattern: -1)
            case .custom(let i): st.custom[i].reset(Int(w))
            default: break
            }
        }
    }

    @inline(__always)
    func add(_ row: Row, timestampMs ts: Int64, _ st: KeyedWindowState, _ w: Int32) {
        let base = Int(w) * width
        for a in 0..<ops.count {
            let b = base + offsets[a]
            switch ops[a] {
            case .countAll:
                st.acc[b] &+= 1
            case .countField(let s):
                if !row.cells[s].isNullish { st.acc[b] &+= 1 }
            case .sum(let s), .avg(let s):
                switch row.cells[s] {
                case .int(let v): ExactSum.addInt(v, &st.acc, b)
                case .double(let d): ExactSum.addDouble(d, &st.acc, b)
                default: break
                }
            case .min(let s): extreme(row.cells[s], st, b, wantLess: true)
            case .max(let s): extreme(row.cells[s], st, b, wantLess: false)
            case .first(let s):
                let tag = st.acc[b + 1]
                if tag == 0 || ts < Int64(bitPattern: st.acc[b]) { setValue(row.cells[s], row, ts, st, b, owner(w, a)) }
            case .last(let s):
                let tag = st.acc[b + 1]
                if tag == 0 || ts >= Int64(bitPattern: st.acc[b]) { setValue(row.cells[s], row, ts, st, b, owner(w, a)) }
            case .countDistinct(let s):
                let cell = row.cells[s]
                guard !cell.isNullish else { continue }
                scratch.removeAll(keepingCapacity: true)
                _ = KeyEncoding.append(cell, from: row, to: &scratch)
                insertDistinct(st, b, owner(w, a))
            case .collect(let s, let maxSize):
                let cell = row.cells[s]
                guard !cell.isNullish, st.acc[b] < UInt64(maxSize) else { continue }
                scratch.removeAll(keepingCapacity: true)
                _ = KeyEncoding.append(cell, from: row, to: &scratch)
                let id = scratch.withUnsafeBytes { st.aux.append(owner: owner(w, a), $0) }
                st.aux.setLink(id, Int32(truncatingIfNeeded: Int64(bitPattern: st.acc[b + 1])))
                st.acc[b + 1] = UInt64(bitPattern: Int64(id))
                st.acc[b] += 1
            case .custom(let i):
                st.custom[i].add(row, timestampMs: ts, Int(w))
            }
        }
    }

    @inline(__always)
    private func extreme(_ cell: Cell, _ st: KeyedWindowState, _ b: Int, wantLess: Bool) {
        let tag = st.acc[b]
        switch cell {
        case .int(let v):
            if tag == 0 || better(isInt: true, v, 0, than: tag, st.acc[b + 1], wantLess) {
                st.acc[b] = 1; st.acc[b + 1] = UInt64(bitPattern: v)
            }
        case .double(let d):
            guard !d.isNaN else { return }       // NaN is unordered: it never wins
            if tag == 0 || better(isInt: false, 0, d, than: tag, st.acc[b + 1], wantLess) {
                st.acc[b] = 2; st.acc[b + 1] = d.bitPattern
            }
        default: break
        }
    }

    /// Compares a candidate with the stored extreme, exactly also across int/double.
    @inline(__always)
    private func better(isInt: Bool, _ iv: Int64, _ dv: Double, than tag: UInt64, _ bits: UInt64, _ wantLess: Bool) -> Bool {
        let c: Int   // sign of candidate - stored
        switch (isInt, tag) {
        case (true, 1): let s = Int64(bitPattern: bits); c = iv < s ? -1 : (iv > s ? 1 : 0)
        case (false, 2): let s = Double(bitPattern: bits); c = dv < s ? -1 : (dv > s ? 1 : 0)
        case (true, _): c = -Self.compare(Double(bitPattern: bits), iv)
        default: c = Self.compare(dv, Int64(bitPattern: bits))
        }
        return wantLess ? c < 0 : c > 0
    }

    /// Sign of (d - i), exact for all Int64.
    @inline(__always) static func compare(_ d: Double, _ i: Int64) -> Int {
        if d < -9_223_372_036_854_775_808.0 { return -1 }
        if d >= 9_223_372_036_854_775_808.0 { return 1 }
        let t = d.rounded(.down)
        let ti = Int64(t)
        if ti != i { return ti < i ? -1 : 1 }
        return d > t ? 1 : 0
    }

    @inline(__always)
    private func setValue(_ cell: Cell, _ row: Row, _ ts: Int64, _ st: KeyedWindowState, _ b: Int, _ owner: Int) {
        let oldTag = st.acc[b + 1]
        let oldPayload = Int32(truncatingIfNeeded: Int64(bitPattern: st.acc[b + 2]))
        var tag: UInt64, payload: UInt64
        switch cell {
        case .missing, .null: return        // nulls are skipped
        case .int(let v): tag = 1; payload = UInt64(bitPattern: v)
        case .double(let d): tag = 2; payload = d.bitPattern
        case .bool(let v): tag = 3; payload = v ? 1 : 0
        case .string(let span), .json(let span):
            tag = { if case .string = cell { return 5 } else { return 6 } }()
            scratch.removeAll(keepingCapacity: true)
            row.withBytes(span) { scratch.append(contentsOf: $0) }
            if oldTag >= 5 {
                scratch.withUnsafeBytes { st.aux.replace(oldPayload, $0) }
                payload = UInt64(bitPattern: Int64(oldPayload))
            } else {
                payload = UInt64(bitPattern: Int64(scratch.withUnsafeBytes { st.aux.append(owner: owner, $0) }))
            }
        }
        if oldTag >= 5 && tag < 5 { st.aux.remove(oldPayload) }
        st.acc[b] = UInt64(bitPattern: ts)
        st.acc[b + 1] = tag
        st.acc[b + 2] = payload
    }

    /// Inserts `scratch` (an encoded value) into the distinct set at `b`.
    @inline(__always)
    private func insertDistinct(_ st: KeyedWindowState, _ b: Int, _ owner: Int) {
        scratch.withUnsafeBytes { v in
            let h = ByteTable.hash(owner: owner, v)
            if st.aux.find(owner: owner, v, hash: h) < 0 {
                let id = st.aux.insert(owner: owner, v, hash: h)
                st.aux.setLink(id, Int32(truncatingIfNeeded: Int64(bitPattern: st.acc[b + 1])))
                st.acc[b + 1] = UInt64(bitPattern: Int64(id))
                st.acc[b] += 1
            }
        }
    }

    // MARK: merge, free

    /// Folds window `from` into window `into` (session merge); `from` is freed after.
    func merge(from f: Int32, into t: Int32, _ st: KeyedWindowState) {
        let fb0 = Int(f) * width, tb0 = Int(t) * width
        for a in 0..<ops.count {
            let fb = fb0 + offsets[a], tb = tb0 + offsets[a]
            switch ops[a] {
            case .countAll, .countField: st.acc[tb] &+= st.acc[fb]
            case .sum, .avg: ExactSum.merge(from: fb, into: tb, &st.acc)
            case .min, .max:
                let tag = st.acc[fb]
                guard tag != 0 else { continue }
                let bits = st.acc[fb + 1]
                let cell: Cell = tag == 1 ? .int(Int64(bitPattern: bits)) : .double(Double(bitPattern: bits))
                if case .min = ops[a] { extreme(cell, st, tb, wantLess: true) } else { extreme(cell, st, tb, wantLess: false) }
            case .first, .last:
                let fTag = st.acc[fb + 1]
                guard fTag != 0 else { continue }
                let fTs = Int64(bitPattern: st.acc[fb]), tTs = Int64(bitPattern: st.acc[tb])
                let take: Bool
                if case .first = ops[a] { take = st.acc[tb + 1] == 0 || fTs < tTs } else { take = st.acc[tb + 1] == 0 || fTs > tTs }
                guard take else { continue }
                let tTag = st.acc[tb + 1]
                let tPayload = Int32(truncatingIfNeeded: Int64(bitPattern: st.acc[tb + 2]))
                if tTag >= 5 { st.aux.remove(tPayload) }
                var payload = st.acc[fb + 2]
                if fTag >= 5 {
                    let src = Int32(truncatingIfNeeded: Int64(bitPattern: payload))
                    scratch.removeAll(keepingCapacity: true)
                    st.aux.withBytes(src) { scratch.append(contentsOf: $0) }
                    payload = UInt64(bitPattern: Int64(scratch.withUnsafeBytes { st.aux.append(owner: owner(t, a), $0) }))
                }
                st.acc[tb] = st.acc[fb]; st.acc[tb + 1] = fTag; st.acc[tb + 2] = payload
            case .countDistinct:
                walk(st, head: st.acc[fb + 1])
                for id in ids {
                    scratch.removeAll(keepingCapacity: true)
                    st.aux.withBytes(id) { scratch.append(contentsOf: $0) }
                    insertDistinct(st, tb, owner(t, a))
                }
            case .collect(_, let maxSize):
                // Appends `from`'s values (oldest first) after `into`'s, up to maxSize.
                walk(st, head: st.acc[fb + 1])
                for id in ids.reversed() where st.acc[tb] < UInt64(maxSize) {
                    scratch.removeAll(keepingCapacity: true)
                    st.aux.withBytes(id) { scratch.append(contentsOf: $0) }
                    let n = scratch.withUnsafeBytes { st.aux.append(owner: owner(t, a), $0) }
                    st.aux.setLink(n, Int32(truncatingIfNeeded: Int64(bitPattern: st.acc[tb + 1])))
                    st.acc[tb + 1] = UInt64(bitPattern: Int64(n))
                    st.acc[tb] += 1
                }
            case .custom(let i):
                st.custom[i].merge(from: Int(f), into: Int(t))
            }
        }
    }

    /// Frees a window's side state (aux values, custom accumulators).
    func free(_ st: KeyedWindowState, _ w: Int32) {
        let base = Int(w) * width
        for a in 0..<ops.count {
            let b = base + offsets[a]
            switch ops[a] {
            case .first, .last:
                if st.acc[b + 1] >= 5 { st.aux.remove(Int32(truncatingIfNeeded: Int64(bitPattern: st.acc[b + 2]))) }
                st.acc[b + 1] = 0
            case .countDistinct, .collect:
                walk(st, head: st.acc[b + 1])
                for id in ids { st.aux.remove(id) }
                st.acc[b + 1] = UInt64(bitPattern: -1)
                st.acc[b] = 0
            case .custom(let i): st.custom[i].free(Int(w))
            default: break
            }
        }
    }

    /// Collects a value chain into `ids` (newest first).
    private func walk(_ st: KeyedWindowState, head: UInt64) {
        ids.removeAll(keepingCapacity: true)
        var id = Int32(truncatingIfNeeded: Int64(bitPattern: head))
        while id >= 0 { ids.append(id); id = st.aux.link(id) }
    }

    // MARK: output

    /// Writes the results of window `w` into `out`, aggregate `a` at slot `firstSlot + a`.
    func write(_ st: KeyedWindowState, _ w: Int32, into out: inout Row, firstSlot: Int) {
        let base = Int(w) * width
        for a in 0..<ops.count {
            let b = base + offsets[a]
            let cell: Cell
            switch ops[a] {
            case .countAll, .countField: cell = .int(Int64(bitPattern: st.acc[b]))
            case .sum:
                if let s = ExactSum.sum(st.acc, b) { cell = s.int.map(Cell.int) ?? .double(s.double) } else { cell = .null }
            case .avg: cell = ExactSum.average(st.acc, b).map(Cell.double) ?? .null
            case .min, .max:
                switch st.acc[b] {
                case 1: cell = .int(Int64(bitPattern: st.acc[b + 1]))
                case 2: cell = .double(Double(bitPattern: st.acc[b + 1]))
                default: cell = .null
                }
            case .first, .last:
                let payload = st.acc[b + 2]
                switch st.acc[b + 1] {
                case 1: cell = .int(Int64(bitPattern: payload))
                case 2: cell = .double(Double(bitPattern: payload))
                case 3: cell = .bool(payload != 0)
                case 5, 6:
                    let span = st.aux.withBytes(Int32(truncatingIfNeeded: Int64(bitPattern: payload))) { out.store($0) }
                    cell = st.acc[b + 1] == 5 ? .string(span) : .json(span)
                default: cell = .null
                }
            case .countDistinct: cell = .int(Int64(bitPattern: st.acc[b]))
            case .collect:
                walk(st, head: st.acc[b + 1])
                let start = out.arena.count
                out.arena.append(UInt8(ascii: "["))
                var i = ids.count - 1
                while i >= 0 {
                    if i != ids.count - 1 { out.arena.append(UInt8(ascii: ",")) }
                    st.aux.withBytes(ids[i]) { v in
                        var p = 0
                        _ = KeyEncoding.appendJSON(v, at: &p, to: &out.arena)
                    }
                    i -= 1
                }
                out.arena.append(UInt8(ascii: "]"))
                cell = .json(ByteSpan(start: start, count: out.arena.count - start))
            case .custom(let i): cell = st.custom[i].result(Int(w), into: &out)
            }
            out.cells[firstSlot + a] = cell
        }
    }

    // MARK: snapshot

    /// Aggregates whose state is not just words: they append a section after the words.
    func encodeSide(_ st: KeyedWindowState, _ w: Int32, into out: inout [UInt8]) {
        let base = Int(w) * width
        for a in 0..<ops.count {
            let b = base + offsets[a]
            switch ops[a] {
            case .first, .last:
                if st.acc[b + 1] >= 5 {
                    st.aux.withBytes(Int32(truncatingIfNeeded: Int64(bitPattern: st.acc[b + 2]))) { v in
                        KeyEncoding.appendVarint(v.count, to: &out); out.append(contentsOf: v)
                    }
                }
            case .countDistinct, .collect:
                // values oldest first, so a restore rebuilds the same chain order
                var chain: [Int32] = []
                var id = Int32(truncatingIfNeeded: Int64(bitPattern: st.acc[b + 1]))
                while id >= 0 { chain.append(id); id = st.aux.link(id) }
                KeyEncoding.appendVarint(chain.count, to: &out)
                for id in chain.reversed() {
                    st.aux.withBytes(id) { v in KeyEncoding.appendVarint(v.count, to: &out); out.append(contentsOf: v) }
                }
            case .custom(let i):
                var bytes: [UInt8] = []
                st.custom[i].encode(Int(w), into: &bytes)
                KeyEncoding.appendVarint(bytes.count, to: &out)
                out.append(contentsOf: bytes)
            default: break
            }
        }
    }

    /// Rebuilds side state of a restored window whose words are already set.
    func decodeSide(_ st: KeyedWindowState, _ w: Int32, _ bytes: UnsafeRawBufferPointer, at pos: inout Int) -> Bool {
        for a in 0..<ops.count where !decodeSide(aggregate: a, st, w, bytes, at: &pos) { return false }
        return true
    }

    /// Rebuilds the side state of aggregate `a` of a restored window (its words already set).
    func decodeSide(aggregate a: Int, _ st: KeyedWindowState, _ w: Int32, _ bytes: UnsafeRawBufferPointer, at pos: inout Int) -> Bool {
        let b = Int(w) * width + offsets[a]
        switch ops[a] {
        case .first, .last:
            let tag = st.acc[b + 1]
            if tag == 5 || tag == 6 {
                guard let n = KeyEncoding.readVarint(bytes, at: &pos), n <= bytes.count - pos else { return false }
                let id = st.aux.append(owner: owner(w, a), UnsafeRawBufferPointer(rebasing: bytes[pos..<pos + n]))
                pos += n
                st.acc[b + 2] = UInt64(bitPattern: Int64(id))
            } else if tag > 3 { return false }
        case .countDistinct, .collect:
            guard let count = KeyEncoding.readVarint(bytes, at: &pos) else { return false }
            st.acc[b + 1] = UInt64(bitPattern: -1)
            st.acc[b] = 0
            for _ in 0..<count {
                guard let n = KeyEncoding.readVarint(bytes, at: &pos), n <= bytes.count - pos else { return false }
                let v = UnsafeRawBufferPointer(rebasing: bytes[pos..<pos + n])
                pos += n
                let o = owner(w, a)
                let id: Int32
                if case .countDistinct = ops[a] {
                    let h = ByteTable.hash(owner: o, v)
                    guard st.aux.find(owner: o, v, hash: h) < 0 else { return false }
                    id = st.aux.insert(owner: o, v, hash: h)
                } else {
                    id = st.aux.append(owner: o, v)
                }
                st.aux.setLink(id, Int32(truncatingIfNeeded: Int64(bitPattern: st.acc[b + 1])))
                st.acc[b + 1] = UInt64(bitPattern: Int64(id))
                st.acc[b] += 1
            }
        case .custom(let i):
            guard let n = KeyEncoding.readVarint(bytes, at: &pos), n <= bytes.count - pos else { return false }
            guard st.custom[i].decode(Int(w), UnsafeRawBufferPointer(rebasing: bytes[pos..<pos + n])) else { return false }
            pos += n
        default: break
        }
        return true
    }

    /// Skips the side section of a saved aggregate that the operator no longer
    /// has; `tag` is its second accumulator word (first/last: the value's type).
    static func skipSide(_ side: StateLayout.SideSection, tag: UInt64, _ bytes: UnsafeRawBufferPointer, at pos: inout Int) -> Bool {
        func skipBytes() -> Bool {
            guard let n = KeyEncoding.readVarint(bytes, at: &pos), n <= bytes.count - pos else { return false }
            pos += n
            return true
        }
        switch side {
        case .none: return true
        case .text: return tag == 5 || tag == 6 ? skipBytes() : tag <= 3
        case .blob: return skipBytes()
        case .values:
            guard let count = KeyEncoding.readVarint(bytes, at: &pos) else { return false }
            for _ in 0..<count where !skipBytes() { return false }
            return true
        }
    }
}
