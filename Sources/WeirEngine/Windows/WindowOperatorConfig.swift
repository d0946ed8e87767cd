import WeirFormats

/// A keyed window aggregation: `keyBy(keyFields).window(window).aggregate(aggregates)`.
public struct WindowOperatorConfig {
    /// A key field: its output name and the input slot it is read from.
    public struct KeyField: Sendable, Equatable {
        public var name: String
        public var slot: Int
        /// What the key is computed from (a field, or an expression in canonical
        /// form); nil: the field `name`. Saved state is keyed by this.
        public var source: String?
        public init(name: String, slot: Int, source: String? = nil) { self.name = name; self.slot = slot; self.source = source }

        var stateDescription: StateLayout.Key { StateLayout.Key(name: name, expression: source ?? name) }
    }

    public var keyFields: [KeyField]
    public var window: WindowSpec
    public var timeDomain: TimeDomain
    /// Event time only: how long after a window fired its state is kept so
    /// late records update it (Flink's `allowedLateness`). Processing-time windows have none.
    public var allowedLatenessMs: Int64
    public var aggregates: [AggregateSpec]
    public var windowStartName: String
    public var windowEndName: String
    /// The number of slots of input rows, to check slots at construction (nil = unchecked).
    public var inputSlotCount: Int?

    public init(keyFields: [KeyField], window: WindowSpec, timeDomain: TimeDomain = .eventTime,
                allowedLatenessMs: Int64 = 0, aggregates: [AggregateSpec],
                windowStartName: String = "window_start", windowEndName: String = "window_end",
                inputSlotCount: Int? = nil) {
        self.keyFields = keyFields; self.window = window; self.timeDomain = timeDomain
        self.allowedLatenessMs = allowedLatenessMs; self.aggregates = aggregates
        self.windowStartName = windowStartName; self.windowEndName = windowEndName
        self.inputSlotCount = inputSlotCount
    }
}

/// A keyed running aggregate without windows (`keyBy(...).reduce(...)`): every
/// record emits the updated aggregate of its key.
public struct ReduceOperatorConfig {
    public var keyFields: [WindowOperatorConfig.KeyField]
    public var aggregates: [AggregateSpec]
    public var inputSlotCount: Int?
    public init(keyFields: [WindowOperatorConfig.KeyField], aggregates: [AggregateSpec], inputSlotCount: Int? = nil) {
        self.keyFields = keyFields; self.aggregates = aggregates; self.inputSlotCount = inputSlotCount
    }
}

/// Checks and lays out key fields (shared by the window and reduce operators).
/// A class, not a struct: operators call it per record through a stored
/// property, and a struct would be copied there (a retain/release of each array).
final class KeyLayout {
    let names: [String]
    let slots: [Int]

    init(_ fields: [WindowOperatorConfig.KeyField], inputSlotCount: Int?) throws(WindowConfigError) {
        for f in fields {
            guard f.slot >= 0, inputSlotCount.map({ f.slot < $0 }) ?? true else {
                throw WindowConfigError("key field \"\(f.name)\" has an invalid slot \(f.slot)")
            }
        }
        names = fields.map(\.name)
        slots = fields.map(\.slot)
    }

    /// Encodes the key of `row` into `out` (cleared first). Throws for a missing key field.
    @inline(__always)
    func encode(_ row: Row, into out: inout [UInt8]) throws(OperatorError) {
        out.removeAll(keepingCapacity: true)
        for i in 0..<slots.count {
            let s = slots[i]
            guard s < row.cells.count, KeyEncoding.append(row.cells[s], from: row, to: &out) else {
                throw OperatorError("key field \(names[i]) is missing")
            }
        }
    }

    /// Writes the key cells of `keyId` into slots `0..<count` of `out`.
    @inline(__always)
    func decode(_ st: KeyedWindowState, _ keyId: Int32, into out: inout Row) {
        st.keys.withBytes(keyId) { bytes in
            var p = 0
            for i in 0..<slots.count { out.cells[i] = KeyEncoding.decode(bytes, at: &p, into: &out) ?? .null }
        }
    }
}
