import XCTest
import WeirFormats

/// Decodes `text` with `decoder` into a fresh or given row; returns the row or the error.
func decodeJSON(_ decoder: JSONRowDecoder, _ text: String, row: inout Row) -> DecodeError? {
    decodeJSON(decoder, Array(text.utf8), row: &row)
}

func decodeJSON(_ decoder: JSONRowDecoder, _ bytes: [UInt8], row: inout Row) -> DecodeError? {
    bytes.withUnsafeBytes { raw -> DecodeError? in
        do throws(DecodeError) {
            try decoder.decode(raw, into: &row)
            return nil
        } catch {
            return error
        }
    }
}

func paths(_ names: String...) -> [FieldPath] {
    names.map { FieldPath(parsing: $0) ?? FieldPath([$0]) }
}

extension Row {
    /// The cell at `slot`, with spans resolved to text, for readable assertions.
    func described(_ slot: Int) -> String {
        switch cells[slot] {
        case .missing: return "missing"
        case .null: return "null"
        case .bool(let b): return "bool(\(b))"
        case .int(let i): return "int(\(i))"
        case .double(let d): return "double(\(d))"
        case .string(let s): return "string(\(string(s)))"
        case .json(let s): return "json(\(string(s)))"
        }
    }
}

/// A fixed-seed generator (splitmix64), so a failing random test reproduces.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
