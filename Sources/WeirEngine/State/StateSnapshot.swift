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
    public static let version: UInt8 = 1
    static let magic: (UInt8, UInt8) = (0x57, 0x53)   // "WS"
    public static let headerSize = 12
    /// Kafka's default message limit is 1 MB; chunks stay below it with room for headers.
    public static let defaultMaxChunkBytes = 900_000

    enum Kind: UInt8 { case windows = 1, reduce = 2 }
    static let windowRecord: UInt8 = 1

    static func header(kind: Kind, fingerprint: UInt64) -> [UInt8] {
        var h: [UInt8] = [magic.0, magic.1, version, kind.rawValue]
        KeyEncoding.appendWord(fingerprint, to: &h)
        return h
    }

    /// Cuts a snapshot into chunks of at most `maxChunkBytes` at record
    /// boundaries (a single record larger than that becomes a chunk of its own).
    public static func split(_ blob: [UInt8], maxChunkBytes: Int = defaultMaxChunkBytes) throws(StateFormatError) -> [[UInt8]] {
        guard blob.count >= headerSize, blob[0] == magic.0, blob[1] == magic.1 else { throw StateFormatError("not a Weir state snapshot") }
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
    static func write(_ st: KeyedWindowState, _ aggs: Aggregator, kind: Kind, fingerprint: UInt64) -> [UInt8] {
        var out = header(kind: kind, fingerprint: fingerprint)
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
    /// (the operator re-arms its timer).
    static func read(_ chunk: [UInt8], into st: KeyedWindowState, _ aggs: Aggregator, kind: Kind,
                     fingerprint: UInt64, restored: (Int32) -> Void) throws(StateFormatError) {
        let result: StateFormatError? = chunk.withUnsafeBytes { all -> StateFormatError? in
            guard all.count >= headerSize, all[0] == magic.0, all[1] == magic.1 else { return StateFormatError("not a Weir state snapshot") }
            guard all[2] == version else { return StateFormatError("state format version \(all[2]) is not supported (this build reads \(version))") }
            guard all[3] == kind.rawValue else { return StateFormatError("snapshot is of another operator kind (\(all[3]))") }
            var p = 4
            guard KeyEncoding.readWord(all, at: &p) == fingerprint else {
                return StateFormatError("snapshot was taken with other keys or aggregates; it cannot be restored into this operator")
            }
            var pos = headerSize
            while pos < all.count {
                guard all.count - pos >= 4 else { return StateFormatError("truncated record length") }
                let n = Int(UInt32(all[pos]) | UInt32(all[pos + 1]) << 8 | UInt32(all[pos + 2]) << 16 | UInt32(all[pos + 3]) << 24)
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
                guard let width = KeyEncoding.readVarint(rec, at: &q), width == st.width,
                      st.findWindow(keyId, start, end) < 0 else {
                    st.releaseKeyIfUnused(keyId)
                    return StateFormatError("bad or duplicate window record")
                }
                let id = st.createWindow(keyId, start, end)
                for j in 0..<width {
                    guard let w = KeyEncoding.readWord(rec, at: &q) else { return StateFormatError("truncated accumulator") }
                    st.acc[Int(id) * width + j] = w
                }
                if fired { st.setFired(id) }
                guard aggs.decodeSide(st, id, rec, at: &q), q == rec.count else { return StateFormatError("bad aggregate state") }
                restored(id)
            }
            return nil
        }
        if let result { throw result }
    }
}
