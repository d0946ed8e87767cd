/// The per-input-partition keyed state that the window and reduce operators
/// share: one `KeyedWindowState` per partition, created on first use, and its
/// snapshot, restore and drop. Operators supply the storage and a hook for
/// what a restored entry needs (the window operator re-arms its timers).
protocol PartitionedKeyedState: AnyObject {
    var states: [KeyedWindowState?] { get set }
    var aggs: Aggregator { get }
    /// What the snapshots say the state holds, and how other layouts are read.
    var stateLayout: OperatorStateLayout { get }
    var snapshotKind: StateSnapshot.Kind { get }
    /// Called for every entry read back by `restore`.
    func restored(_ state: KeyedWindowState, entry id: Int32)
}

extension PartitionedKeyedState {
    func makeState(_ partition: Int) -> KeyedWindowState {
        if partition >= states.count { states.append(contentsOf: repeatElement(nil, count: partition + 1 - states.count)) }
        let st = aggs.makeState()
        states[partition] = st
        return st
    }

    public var partitions: [Int] { states.indices.filter { states[$0] != nil } }

    /// Live (key, window) entries of a partition (metrics, tests).
    /// Keys with state (idle keys kept for reuse excluded) and entries (windows, or
    /// running aggregates) over every partition held: for metrics, once a second or so.
    var keyedStateCounts: (keys: Int, entries: Int) {
        states.reduce((0, 0)) { acc, st in
            guard let st else { return acc }
            return (acc.0 + st.keys.count - st.idleKeys, acc.1 + st.windowCount)
        }
    }

    func entryCount(partition: Int) -> Int {
        partition >= 0 && partition < states.count ? states[partition]?.windowCount ?? 0 : 0
    }

    public func snapshot(partition: Int) -> [UInt8] {
        let st: KeyedWindowState
        if partition >= 0 && partition < states.count, let s = states[partition] { st = s } else { st = aggs.makeState() }
        return StateSnapshot.write(st, aggs, kind: snapshotKind, layout: stateLayout.encoded)
    }

    /// A copy of the partition's state, written out when the capture is asked
    /// for its chunks (on the commit worker); the snapshot at once where the
    /// state cannot be copied (custom aggregates).
    func captureKeyedState(partition: Int) -> StateCapture {
        guard partition >= 0 && partition < states.count, let st = states[partition], let copy = st.snapshotCopy() else {
            return StateCapture(bytes: snapshot(partition: partition))
        }
        // The aggregator is shared: writing reads only its configuration, never its per-record scratch.
        let aggs = self.aggs, kind = snapshotKind, layout = stateLayout.encoded
        return StateCapture(deferred: {
            defer { copy.prepareForNextCopy() }
            return StateSnapshot.write(copy, aggs, kind: kind, layout: layout)
        })
    }

    /// `KeyedWindowState.snapshotSpareWarmUp` of every partition's state whose next copy would not fit.
    func keyedCaptureWarmUps() -> [() -> Void] {
        states.compactMap { $0?.snapshotSpareWarmUp(factor: 2) }
    }

    public func restore(partition: Int, chunks: [[UInt8]]) throws(StateFormatError) {
        guard partition >= 0 && partition < 1 << 20 else { throw StateFormatError("invalid partition \(partition)") }
        let st = makeState(partition)
        do {
            for chunk in chunks {
                try StateSnapshot.read(chunk, into: st, aggs, kind: snapshotKind, layout: stateLayout) { id in
                    restored(st, entry: id)
                }
            }
        } catch {
            states[partition] = nil   // never run on half a state
            throw error
        }
    }

    public func dropPartition(_ partition: Int) {
        if partition >= 0 && partition < states.count { states[partition] = nil }
    }
}
