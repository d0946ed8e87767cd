/// What one operator's keyed state holds: key fields, window, time domain and
/// aggregates. Written at the head of every snapshot (format version 2,
/// docs/state-format.md), so that a restore can tell what an edited pipeline
/// changed and map the saved state onto it (`StateLayoutMapping`).
struct StateLayout: Equatable {
    struct Key: Equatable {
        /// The output name.
        var name: String
        /// What the key is computed from (a field, or an expression in canonical form):
        /// the key bytes in the state depend on this, not on the name.
        var expression: String
    }

    /// How a record's side section holds an aggregate's values (readable, or
    /// skippable when the aggregate was removed, without knowing the function).
    enum SideSection: UInt8 {
        case none = 0
        /// first/last: a text value (varint length, bytes) when the tag word is 5 or 6.
        case text = 1
        /// count_distinct/collect: varint n, then n × (varint length, bytes).
        case values = 2
        /// custom: varint length, bytes.
        case blob = 3
    }

    struct Aggregate: Equatable {
        var name: String
        /// count, sum, min, max, avg, first, last, count_distinct, collect, custom.
        var function: String
        /// collect: the most values kept; custom: the aggregator's type; else empty.
        var argument: String
        /// The input (see `AggregateSpec.inputName`); empty for count() and custom.
        var input: String
        /// Accumulator words of this aggregate in each record.
        var words: Int
        var side: SideSection

        /// As a pipeline writes it: `sum(amount)`, `collect(page, 10)`, `count()`.
        var call: String {
            switch function {
            case "custom": return "custom aggregator \(argument)"
            case "collect": return "collect(\(input), \(argument))"
            default: return "\(function)(\(input))"
            }
        }
    }

    var kind: StateSnapshot.Kind
    var keys: [Key]
    /// nil: a running reduce.
    var window: WindowSpec?
    /// nil: a running reduce (it has no timers).
    var timeDomain: TimeDomain?
    var aggregates: [Aggregate]

    // MARK: bytes

    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        KeyEncoding.appendVarint(keys.count, to: &out)
        for k in keys { Self.appendString(k.name, &out); Self.appendString(k.expression, &out) }
        switch window {
        case nil: out.append(0)
        case .tumbling(let size, let offset)?:
            out.append(1); Self.appendInt(size, &out); Self.appendInt(offset, &out)
        case .sliding(let size, let slide, let offset)?:
            out.append(2); Self.appendInt(size, &out); Self.appendInt(slide, &out); Self.appendInt(offset, &out)
        case .session(let gap)?:
            out.append(3); Self.appendInt(gap, &out)
        }
        switch timeDomain {
        case nil: out.append(0)
        case .eventTime?: out.append(1)
        case .processingTime?: out.append(2)
        }
        KeyEncoding.appendVarint(aggregates.count, to: &out)
        for a in aggregates {
            Self.appendString(a.name, &out); Self.appendString(a.function, &out)
            Self.appendString(a.argument, &out); Self.appendString(a.input, &out)
            KeyEncoding.appendVarint(a.words, to: &out)
            out.append(a.side.rawValue)
        }
        return out
    }

    /// Reads a layout written by `encoded()`; nil for malformed bytes (a
    /// corrupt snapshot: every count and length is checked against the bytes).
    static func decode(_ bytes: UnsafeRawBufferPointer, kind: StateSnapshot.Kind) -> StateLayout? {
        var p = 0
        func string() -> String? {
            guard let n = KeyEncoding.readVarint(bytes, at: &p), n <= bytes.count - p else { return nil }
            defer { p += n }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[p..<p + n]), as: UTF8.self)
        }
        func int() -> Int64? { KeyEncoding.readWord(bytes, at: &p).map { Int64(bitPattern: $0) } }
        func byte() -> UInt8? {
            guard p < bytes.count else { return nil }
            defer { p += 1 }
            return bytes[p]
        }
        // each key takes at least 2 bytes, each aggregate at least 6: bounds the counts
        guard let keyCount = KeyEncoding.readVarint(bytes, at: &p), keyCount <= (bytes.count - p) / 2 else { return nil }
        var keys: [Key] = []
        for _ in 0..<keyCount {
            guard let name = string(), let expression = string() else { return nil }
            keys.append(Key(name: name, expression: expression))
        }
        let window: WindowSpec?
        switch byte() {
        case 0: window = nil
        case 1:
            guard let size = int(), let offset = int() else { return nil }
            window = .tumbling(sizeMs: size, offsetMs: offset)
        case 2:
            guard let size = int(), let slide = int(), let offset = int() else { return nil }
            window = .sliding(sizeMs: size, slideMs: slide, offsetMs: offset)
        case 3:
            guard let gap = int() else { return nil }
            window = .session(gapMs: gap)
        default: return nil
        }
        let domain: TimeDomain?
        switch byte() {
        case 0: domain = nil
        case 1: domain = .eventTime
        case 2: domain = .processingTime
        default: return nil
        }
        guard let aggCount = KeyEncoding.readVarint(bytes, at: &p), aggCount <= (bytes.count - p) / 6 else { return nil }
        var aggregates: [Aggregate] = []
        for _ in 0..<aggCount {
            guard let name = string(), let function = string(), let argument = string(), let input = string(),
                  let words = KeyEncoding.readVarint(bytes, at: &p), words <= 1 << 16,
                  let s = byte(), let side = SideSection(rawValue: s) else { return nil }
            aggregates.append(Aggregate(name: name, function: function, argument: argument, input: input, words: words, side: side))
        }
        guard p == bytes.count else { return nil }
        return StateLayout(kind: kind, keys: keys, window: window, timeDomain: domain, aggregates: aggregates)
    }

    private static func appendString(_ s: String, _ out: inout [UInt8]) {
        KeyEncoding.appendVarint(s.utf8.count, to: &out)
        out.append(contentsOf: s.utf8)
    }

    private static func appendInt(_ v: Int64, _ out: inout [UInt8]) {
        KeyEncoding.appendWord(UInt64(bitPattern: v), to: &out)
    }
}
