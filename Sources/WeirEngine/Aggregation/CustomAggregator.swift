import WeirFormats

/// An aggregate function written in Swift by users of the embedding API
/// (Flink's `AggregateFunction`). Accumulators are kept per (key, window);
/// a value type without heap storage keeps the per-record path allocation-free.
public protocol CustomAggregator: AnyObject {
    associatedtype Accumulator
    func makeAccumulator() -> Accumulator
    /// Rejects a record before any state changes (it then goes to the dead-letter topic).
    func validate(_ row: Row) throws(OperatorError)
    func add(_ row: Row, timestampMs: Int64, to accumulator: inout Accumulator)
    /// Session windows merge: fold `other` into `accumulator`.
    func merge(_ other: Accumulator, into accumulator: inout Accumulator)
    /// The result cell; text results are stored into `row` (`row.store`).
    func result(_ accumulator: Accumulator, into row: inout Row) -> Cell
    /// Snapshot form of an accumulator, and back (nil = corrupt bytes).
    func encode(_ accumulator: Accumulator, into bytes: inout [UInt8])
    func decode(_ bytes: UnsafeRawBufferPointer) -> Accumulator?
}

extension CustomAggregator {
    public func validate(_ row: Row) throws(OperatorError) {}
}

/// A type-erased custom aggregator, as specs hold it.
public final class AnyCustomAggregator {
    let typeName: String
    let makeStore: () -> CustomAccumulatorStore

    public init<A: CustomAggregator>(_ aggregator: A) {
        typeName = String(describing: A.self)
        makeStore = { TypedAccumulatorStore(aggregator) }
    }
}

/// The accumulators of one custom aggregate in one partition's state, indexed
/// by window id.
class CustomAccumulatorStore {
    func reset(_ id: Int) {}
    func validate(_ row: Row) throws(OperatorError) {}
    func add(_ row: Row, timestampMs: Int64, _ id: Int) {}
    func merge(from: Int, into: Int) {}
    func result(_ id: Int, into row: inout Row) -> Cell { .null }
    func encode(_ id: Int, into bytes: inout [UInt8]) {}
    func decode(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool { false }
    func free(_ id: Int) {}
    func removeAll() {}
}

final class TypedAccumulatorStore<A: CustomAggregator>: CustomAccumulatorStore {
    let aggregator: A
    var accumulators: [A.Accumulator?] = []
    init(_ aggregator: A) { self.aggregator = aggregator }

    override func reset(_ id: Int) {
        if id >= accumulators.count {
            accumulators.append(contentsOf: repeatElement(nil, count: id + 1 - accumulators.count))
        }
        accumulators[id] = aggregator.makeAccumulator()
    }
    override func validate(_ row: Row) throws(OperatorError) { try aggregator.validate(row) }
    override func add(_ row: Row, timestampMs: Int64, _ id: Int) {
        // Taken out and put back so a heap-backed accumulator stays uniquely referenced (no copy).
        guard id < accumulators.count, var acc = accumulators[id] else { return }
        accumulators[id] = nil
        aggregator.add(row, timestampMs: timestampMs, to: &acc)
        accumulators[id] = acc
    }
    override func merge(from: Int, into: Int) {
        guard from < accumulators.count, into < accumulators.count, let other = accumulators[from],
              var acc = accumulators[into] else { return }
        accumulators[into] = nil
        aggregator.merge(other, into: &acc)
        accumulators[into] = acc
    }
    override func result(_ id: Int, into row: inout Row) -> Cell {
        guard id < accumulators.count, let acc = accumulators[id] else { return .null }
        return aggregator.result(acc, into: &row)
    }
    override func encode(_ id: Int, into bytes: inout [UInt8]) {
        guard id < accumulators.count, let acc = accumulators[id] else { return }
        aggregator.encode(acc, into: &bytes)
    }
    override func decode(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let acc = aggregator.decode(bytes) else { return false }
        reset(id)
        accumulators[id] = acc
        return true
    }
    override func free(_ id: Int) { if id < accumulators.count { accumulators[id] = nil } }
    override func removeAll() { accumulators.removeAll(keepingCapacity: true) }
}
