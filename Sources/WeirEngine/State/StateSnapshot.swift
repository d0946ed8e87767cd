/// A snapshot that cannot be restored (corrupt, another version, or state of
/// an operator with a different layout).
public struct StateFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The byte format of one partition's keyed state (see docs/state-format.md).
///
/// A snapshot is a header followed by self-contained records, so it can be cut
/// at any record boundary into chunks that are each a valid snapshot (same
/// header); restoring the chunks one after another rebuilds the state.
public enum StateSnapshot {
    /// Written since savepoints survive pipeline edits: the header holds the
    /// state's layout. Version 1 (a layout fingerprint) is still read.
    public static let version: UInt8 = 2
    static let legacyVersion: UInt8 = 1
    static let magic: (UInt8, UInt8) = (0x57, 0x53)   // "WS"
    /// Magic, version, kind, then the layout's length (u32); the layout follows.
    static let fixedHeaderSize = 8
    /// Version 1: magic, version, kind, fingerprint (u64).
    static let legacyHeaderSize = 12
    /// Kafka's default message limit is 1 MB; chunks stay below it with room for headers.
    public static let defaultMaxChunkBytes = 900_000

    enum Kind: UInt8 {
        case windows = 1, reduce = 2

        var description: String { self == .windows ? "a window aggregate" : "a running reduce" }
    }
    static let windowRecord: UInt8 = 1

    static func header(kind: Kind, layout: [UInt8]) -> [UInt8] {
        var h: [UInt8] = [magic.0, magic.1, version, kind.rawValue]
        var n = UInt32(layout.count).littleEndian
        withUnsafeBytes(of: &n) { h.append(contentsOf: $0) }
        h.append(contentsOf: layout)
        return h
    }

    /// The length of a snapshot's header (where its records start); nil when
    /// it is not a snapshot of a version this build reads, or truncated.
    public static func headerLength(_ blob: UnsafeRawBufferPointer) -> Int? {
        guard blob.count >= 4, blob[0] == magic.0, blob[1] == magic.1 else { return nil }
        switch blob[2] {
        case legacyVersion: return blob.count >= legacyHeaderSize ? legacyHeaderSize : nil
        case version:
            guard blob.count >= fixedHeaderSize else { return nil }
            let n = Int(readU32(blob, at: 4))
            return n <= blob.count - fixedHeaderSize ? fixedHeaderSize + n : nil
        default: return nil
        }
    }

    @inline(__always) static func readU32(_ b: UnsafeRawBufferPointer, at p: Int) -> UInt32 {
        UInt32(b[p]) | UInt32(b[p + 1]) << 8 | UInt32(b[p + 2]) << 16 | UInt32(b[p + 3]) << 24
    }

    /// Cuts a snapshot into chunks of at most `maxChunkBytes` at record
    /// boundaries (a single record larger than that becomes a chunk of its own).
    public static func split(_ blob: [UInt8], maxChunkBytes: Int = defaultMaxChunkBytes) throws(StateFormatError) -> [[UInt8]] {
        guard let headerSize = blob.withUnsafeBytes({ headerLength($0) }) else { throw StateFormatError("not a Weir state snapshot") }
        let head = Array(blob[0..<headerSize])
        var chunks: [[UInt8]] = []
        var current = head
        var pos = headerSize
        while pos < blob.count {
            guard blob.count - pos >= 4 else { throw StateFormatError("truncated record length") }
            let n = Int(UInt32(blob[pos]) | UInt32(blob[pos + 1]) << 8 | UInt32(blob[pos + 2]) << 16 | UInt32(blob[pos + 3]) << 24)
            guard blob.count - pos - 4 >= n else { throw StateFormatError("truncated record") }
            if current.count > headerSize && current.count + 4 + n > maxChunkBytes {
                chunks.append(current)
                current = head
            }
            current.append(contentsOf: blob[pos..<pos + 4 + n])
            pos += 4 + n
        }
        chunks.append(current)
        return chunks
    }

    // MARK: windows of a KeyedWindowState

    /// Writes every live window of `st` (id order) as one record each.
    static func write(_ st: KeyedWindowState, _ aggs: Aggregator, kind: Kind, layout: [UInt8]) -> [UInt8] {
        var out = header(kind: kind, layout: layout)
        var rec: [UInt8] = []
        for i in st.windows.indices where st.windows[i].live {
            let w = st.windows[i]
            rec.removeAll(keepingCapacity: true)
            rec.append(windowRecord)
            st.keys.withBytes(w.keyId) { k in KeyEncoding.appendVarint(k.count, to: &rec); rec.append(contentsOf: k) }
            KeyEncoding.appendWord(UInt64(bitPattern: w.start), to: &rec)
            KeyEncoding.appendWord(UInt64(bitPattern: w.end), to: &rec)
            rec.append(w.fired ? 1 : 0)
            KeyEncoding.appendVarint(st.width, to: &rec)
            for j in 0..<st.width { KeyEncoding.appendWord(st.acc[i * st.width + j], to: &rec) }
            aggs.encodeSide(st, Int32(i), into: &rec)
            var n = UInt32(rec.count).littleEndian
            withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
            out.append(contentsOf: rec)
        }
        return out
    }

    /// Adds the windows of one chunk to `st`; calls `restored(window)` for each
    /// (the operator re-arms its timer). State written with another layout is
    /// mapped onto the operator's (`StateLayoutMapping`) or refused.
    static func read(_ chunk: [UInt8], into st: KeyedWindowState, _ aggs: Aggregator, kind: Kind,
                     layout: OperatorStateLayout, restored: (Int32) -> Void) throws(StateFormatError) {
        let result: StateFormatError? = chunk.withUnsafeBytes { all -> StateFormatError? in
            guard all.count >= 4, all[0] == magic.0, all[1] == magic.1 else { return StateFormatError("not a Weir state snapshot") }
            guard all[2] == version || all[2] == legacyVersion else {
                return StateFormatError("state format version \(all[2]) is not supported (this build reads \(legacyVersion) and \(version))")
            }
            guard all[3] == kind.rawValue else {
                let saved = Kind(rawValue: all[3])?.description ?? "an unknown operator (kind \(all[3]))"
                return StateFormatError("the state was written by \(saved), the pipeline now has \(kind.description) — this change is not compatible with the saved state (revert it, or start without that state)")
            }
            guard let headerSize = headerLength(all) else { return StateFormatError("truncated snapshot header") }
            let mapping: StateLayoutMapping?
            do throws(StateFormatError) {
                if all[2] == legacyVersion {
                    var p = 4
                    try layout.checkLegacy(fingerprint: KeyEncoding.readWord(all, at: &p) ?? 0)
                    mapping = nil
                } else {
                    mapping = try layout.mapping(forSaved: UnsafeRawBufferPointer(rebasing: all[fixedHeaderSize..<headerSize]))
                }
            } catch { return error }
            var words: [UInt64] = []   // a mapped record's saved accumulator
            var pos = headerSize
            while pos < all.count {
                guard all.count - pos >= 4 else { return StateFormatError("truncated record length") }
                let n = Int(readU32(all, at: pos))
                pos += 4
                guard all.count - pos >= n else { return StateFormatError("truncated record") }
                let rec = UnsafeRawBufferPointer(rebasing: all[pos..<pos + n])
                pos += n
                var q = 0
                guard rec.count > 0, rec[0] == windowRecord else { return StateFormatError("unknown record type") }
                q = 1
                guard let kn = KeyEncoding.readVarint(rec, at: &q), kn <= rec.count - q else { return StateFormatError("bad key") }
                let keyId = st.internKey(UnsafeRawBufferPointer(rebasing: rec[q..<q + kn]))
                q += kn
                guard let s = KeyEncoding.readWord(rec, at: &q), let e = KeyEncoding.readWord(rec, at: &q), q < rec.count else {
                    st.releaseKeyIfUnused(keyId)
                    return StateFormatError("bad window bounds")
                }
                let start = Int64(bitPattern: s), end = Int64(bitPattern: e)
                let fired = rec[q] & 1 == 1
                q += 1
                guard let width = KeyEncoding.readVarint(rec, at: &q), width == mapping?.stateWidth ?? st.width,
                      st.findWindow(keyId, start, end) < 0 else {
                    st.releaseKeyIfUnused(keyId)
                    return StateFormatError("bad or duplicate window record")
                }
                let id = st.createWindow(keyId, start, end)
                if fired { st.setFired(id) }
                if let mapping {
                    guard readMapped(rec, at: &q, width: width, mapping, into: st, id, aggs, &words) else {
                        return StateFormatError("bad aggregate state")
                    }
                } else {
                    for j in 0..<width {
                        guard let w = KeyEncoding.readWord(rec, at: &q) else { return StateFormatError("truncated accumulator") }
                        st.acc[Int(id) * width + j] = w
                    }
                    guard aggs.decodeSide(st, id, rec, at: &q) else { return StateFormatError("bad aggregate state") }
                }
                guard q == rec.count else { return StateFormatError("bad aggregate state") }
                restored(id)
            }
            return nil
        }
        if let result { throw result }
    }

    /// One record's accumulator in another layout: kept aggregates take their
    /// saved words and side values, new ones start empty, dropped ones are skipped.
    private static func readMapped(_ rec: UnsafeRawBufferPointer, at q: inout Int, width: Int, _ mapping: StateLayoutMapping,
                                   into st: KeyedWindowState, _ id: Int32, _ aggs: Aggregator, _ words: inout [UInt64]) -> Bool {
        words.removeAll(keepingCapacity: true)
        for _ in 0..<width {
            guard let w = KeyEncoding.readWord(rec, at: &q) else { return false }
            words.append(w)
        }
        aggs.initialize(st, id)
        let base = Int(id) * st.width
        for src in mapping.sources {
            guard let a = src.target else { continue }
            for j in 0..<src.words { st.acc[base + aggs.offsets[a] + j] = words[src.offset + j] }
        }
        for src in mapping.sources {
            if let a = src.target {
                guard aggs.decodeSide(aggregate: a, st, id, rec, at: &q) else { return false }
            } else {
                let tag = src.words > 1 ? words[src.offset + 1] : 0
                guard Aggregator.skipSide(src.side, tag: tag, rec, at: &q) else { return false }
            }
        }
        return true
    }
}
