import Logging

/// An operator's own state layout, written into its snapshots, and how it
/// reads snapshots written with another: a pipeline edited between a
/// savepoint or checkpoint and the restore (`StateLayoutMapping`), or state
/// format version 1, which recorded only a fingerprint of its layout.
final class OperatorStateLayout {
    let layout: StateLayout
    let encoded: [UInt8]
    /// The version-1 fingerprint of this layout: version-1 state restores only
    /// into an operator with the same one.
    let legacyFingerprint: UInt64
    /// One line per saved layout and operator, not one per partition.
    private var logged: Set<[UInt8]> = []
    private let logger = Logger(label: "weir.state")

    init(_ layout: StateLayout, legacyFingerprint: UInt64) {
        self.layout = layout
        encoded = layout.encoded()
        self.legacyFingerprint = legacyFingerprint
    }

    /// How to read records written with the layout `saved` (its bytes as in
    /// the header); nil: as they are. Throws when the state cannot be read
    /// into this operator.
    func mapping(forSaved saved: UnsafeRawBufferPointer) throws(StateFormatError) -> StateLayoutMapping? {
        if saved.elementsEqual(encoded) { return nil }
        guard let old = StateLayout.decode(saved, kind: layout.kind) else { throw StateFormatError("bad state layout in the snapshot header") }
        let mapping = try StateLayoutMapping(from: old, to: layout)
        if mapping.isIdentity { return nil }   // e.g. a key renamed with `as`: the same bytes
        if logged.insert(Array(saved)).inserted {
            logger.notice("restoring state written by an edited pipeline", metadata: ["change": "\(mapping.summary)"])
        }
        return mapping
    }

    /// The version-1 fingerprint: a hash of a text naming the operator kind,
    /// the number of key fields, aligned/merging windows and the aggregates
    /// with their input slots.
    static func legacyFingerprint(_ text: String) -> UInt64 {
        var t = text
        return t.withUTF8 { ByteHash.hash(UnsafeRawBufferPointer($0)) }
    }

    /// Version 1: no layout, only its fingerprint.
    func checkLegacy(fingerprint: UInt64) throws(StateFormatError) {
        guard fingerprint == legacyFingerprint else {
            throw StateFormatError("the state was written in format version 1 by an older Weir, which records only a fingerprint of the state's layout, and it differs from this pipeline's (key fields, window kind or aggregates changed): restore it with the unchanged pipeline, take a savepoint, then edit the pipeline")
        }
    }
}
