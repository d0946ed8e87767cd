import WeirFormats

/// Encodes operator output rows (JSON or Avro, `ResultEncoder`) and hands
/// them to a sink, keyed by the key fields.
final class EncodingOutput {
    let encoder: ResultEncoder
    let keySlots: [Int]
    @exclusivity(unchecked) var key = MessageKey()

    init(encoder: ResultEncoder, keySlots: [Int]) { self.encoder = encoder; self.keySlots = keySlots }

    func bound<S: ChainSink>(to sink: S) -> Bound<S> { Bound(owner: self, sink: sink) }

    /// Made per record and per watermark step: unowned(unsafe), so binding
    /// costs no retain/release pairs (the chain keeps both alive meanwhile).
    struct Bound<S: ChainSink>: OperatorOutput {
        unowned(unsafe) let owner: EncodingOutput
        unowned(unsafe) let sink: S
        var emitted = 0, late = 0
        var error: Error?

        mutating func emit(_ row: Row, kind: EmitKind, partition: Int) {
            guard error == nil else { return }
            do {
                if sink.takesRows {   // the files sink: the row itself, encoded only for JSON lines
                    try sink.emit(row: row, encoded: sink.wantsEncodedRows ? try owner.encoder.encode(row) : nil)
                    emitted += 1
                    return
                }
                let value = try owner.encoder.encode(row)
                if sink.wantsKeys, owner.key.set(slots: owner.keySlots, in: row) {
                    try owner.key.bytes.withUnsafeBytes { try sink.emit(key: $0, value: value) }
                } else {
                    try sink.emit(key: nil, value: value)
                }
                emitted += 1
            } catch {
                self.error = error
            }
        }

        mutating func timedOut(_ row: Row, partition: Int) {
            guard error == nil else { return }
            do {
                let value = try owner.encoder.encode(row)
                if sink.wantsKeys, owner.key.set(slots: owner.keySlots, in: row) {
                    try owner.key.bytes.withUnsafeBytes { try sink.timedOut(key: $0, value: value) }
                } else {
                    try sink.timedOut(key: nil, value: value)
                }
            } catch {
                self.error = error
            }
        }

        mutating func late(_ row: Row, timestampMs: Int64, partition: Int) {
            guard error == nil else { return }
            do { try sink.late(); late += 1 } catch { self.error = error }
        }
    }
}
