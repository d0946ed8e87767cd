import Foundation
import Synchronization
import WeirFormats

/// A question to a job's tasks about one key's state (`GET /jobs/{id}/state`),
/// answered by each task on its own thread between batches (the state is the
/// task's alone). The REST side waits for the answers with a deadline.
public final class StateQuery: Sendable {
    /// The key's encodings to look for (a key given as text may be a string or a number).
    public let keys: [[UInt8]]
    private let answers = Mutex<(entries: [StateEntry], answered: Int)>(([], 0))

    public init(keys: [[UInt8]]) { self.keys = keys }

    /// Called by a task with what it holds of the key (possibly nothing).
    public func answer(_ entries: [StateEntry]) {
        answers.withLock { $0.entries += entries; $0.answered += 1 }
    }

    public var answered: Int { answers.withLock { $0.answered } }
    public var entries: [StateEntry] { answers.withLock { $0.entries } }

    /// The key encodings a list of texts may stand for, one text per key
    /// field: each a string, and also the number (or boolean, or null) it reads as.
    public static func candidates(_ values: [String]) -> [[UInt8]] {
        var result: [[UInt8]] = [[]]
        for v in values {
            var forms: [[UInt8]] = []
            var s: [UInt8] = [KeyEncoding.string]
            KeyEncoding.appendVarint(v.utf8.count, to: &s)
            s.append(contentsOf: v.utf8)
            forms.append(s)
            if let i = Int64(v) {
                var b: [UInt8] = []; KeyEncoding.appendInt(i, to: &b); forms.append(b)
            } else if let d = Double(v), d.isFinite {
                // As KeyEncoding stores numbers: an integral double is that int.
                var b: [UInt8] = []
                if let i = KeyEncoding.exactInt(d) { KeyEncoding.appendInt(i, to: &b) } else {
                    b.append(KeyEncoding.double); KeyEncoding.appendWord(d.bitPattern, to: &b)
                }
                forms.append(b)
            }
            if v == "true" || v == "false" { forms.append([v == "true" ? KeyEncoding.trueTag : KeyEncoding.falseTag]) }
            if v == "null" { forms.append([KeyEncoding.null]) }
            result = result.flatMap { prefix in forms.map { prefix + $0 } }
        }
        return result
    }
}

/// One row of a key's state: an open window with its aggregates so far, or a
/// running aggregate; the fields as the sink would get them if it fired now.
public struct StateEntry: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case null, bool(Bool), int(Int64), double(Double), string(String), json(String)
    }
    public var partition: Int
    /// Emitted at least once already (a next emission is an update).
    public var fired: Bool
    public var fields: [(name: String, value: Value)]

    public static func == (a: StateEntry, b: StateEntry) -> Bool {
        a.partition == b.partition && a.fired == b.fired && a.fields.map(\.name) == b.fields.map(\.name)
            && a.fields.map(\.value) == b.fields.map(\.value)
    }

    /// The row's fields by the operator's output layout.
    init(row: Row, layout: [(name: String, slot: Int)], partition: Int, fired: Bool) {
        self.partition = partition
        self.fired = fired
        fields = layout.map { f in
            let value: Value
            switch row.cells[f.slot] {
            case .missing, .null: value = .null
            case .bool(let b): value = .bool(b)
            case .int(let i): value = .int(i)
            case .double(let d): value = d.isFinite ? .double(d) : .null
            case .string(let s): value = .string(row.string(s))
            case .json(let s): value = .json(row.string(s))
            }
            return (f.name, value)
        }
    }
}

extension PartitionedKeyedState {
    /// Every entry (window, or running aggregate) of one key, in every partition held.
    func forEachEntry(ofKey key: [UInt8], _ body: (KeyedWindowState, Int32, Int) -> Void) {
        key.withUnsafeBytes { bytes in
            let h = ByteHash.hash(bytes)
            for (p, st) in states.enumerated() {
                guard let st else { continue }
                let k = st.keys.find(owner: 0, bytes, hash: h)
                guard k >= 0, Int(k) < st.keyFirstWindow.count else { continue }
                var w = st.keyFirstWindow[Int(k)]
                while w >= 0 {
                    let window = st.windows[Int(w)]
                    if window.live { body(st, w, p) }
                    w = window.nextOfKey
                }
            }
        }
    }
}
