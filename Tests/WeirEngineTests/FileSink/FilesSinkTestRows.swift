import WeirFormats
import WeirEngine

extension FilesSinkWriter {
    /// Writes `json` as a pipeline hands the sink a row: its fields decoded
    /// into the slots `spec.sourceSlots` names (other slots stay missing), and
    /// for JSON lines the encoded bytes beside it.
    func write(json: String, partition: Int) throws {
        let slotCount = (spec.sourceSlots.max() ?? -1) + 1
        var paths = (0..<slotCount).map { FieldPath(["__slot\($0)"]) }
        for (i, slot) in spec.sourceSlots.enumerated() { paths[slot] = FieldPath([spec.columns[i].name]) }
        var row = Row(slotCount: slotCount)
        var text = json
        try text.withUTF8 { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            try JSONRowDecoder(fields: paths).decode(raw, into: &row)
            try write(row: row, encoded: spec.format == .json ? raw : nil, partition: partition)
        }
    }
}
