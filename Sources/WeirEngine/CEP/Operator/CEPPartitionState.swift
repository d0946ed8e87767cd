/// The keys of one state partition: an index from encoded key to slot, the
/// key states by slot, and the keys' timers.
///
/// A key that holds nothing stays indexed, idle (its state reset), so that its
/// next record finds it without deleting and re-inserting the key (which,
/// with keys going idle between most of their records, was ~10% of a run);
/// idle keys are linked oldest first so the operator can forget the oldest
/// when there are too many.
final class CEPPartitionState {
    @exclusivity(unchecked) var index: [[UInt8]: Int32] = [:]
    @exclusivity(unchecked) var keys: [CEPKeyState?] = []
    @exclusivity(unchecked) var freeSlots: [Int32] = []
    @exclusivity(unchecked) var timers = CEPTimerHeap()
    /// The partition's watermark (or processing time) so far.
    @exclusivity(unchecked) var time: Int64 = .min
    @exclusivity(unchecked) private(set) var idleCount = 0
    @exclusivity(unchecked) private var idleHead: Int32 = -1
    @exclusivity(unchecked) private var idleTail: Int32 = -1

    /// Keys with state (idle ones left out).
    var keyCount: Int { index.count - idleCount }

    func slot(for key: [UInt8], make: () -> CEPKeyState) -> Int32 {
        if let s = index[key] { return s }
        let st = make()
        let s: Int32
        if let f = freeSlots.popLast() { keys[Int(f)] = st; s = f } else { keys.append(st); s = Int32(keys.count - 1) }
        // keyed by the state's own copy: keying by `key` (the operator's reused
        // encoding buffer) made that buffer's next write copy it, per new key
        index[st.key] = s
        return s
    }

    /// Forgets the key in `slot`; returns its state (for the operator's pool).
    @discardableResult
    func remove(_ slot: Int32) -> CEPKeyState? {
        guard let st = keys[Int(slot)] else { return nil }
        if st.idle { wake(slot) }
        index[st.key] = nil
        keys[Int(slot)] = nil
        freeSlots.append(slot)
        return st
    }

    /// Marks the key in `slot` idle, the newest of the idle list.
    func markIdle(_ slot: Int32) {
        guard let st = keys[Int(slot)], !st.idle else { return }
        st.idle = true
        st.idlePrev = idleTail
        st.idleNext = -1
        if idleTail >= 0, let t = keys[Int(idleTail)] { t.idleNext = slot } else { idleHead = slot }
        idleTail = slot
        idleCount += 1
    }

    /// The idle key in `slot` has work again: off the idle list.
    func wake(_ slot: Int32) {
        guard let st = keys[Int(slot)], st.idle else { return }
        if st.idlePrev >= 0, let p = keys[Int(st.idlePrev)] { p.idleNext = st.idleNext } else { idleHead = st.idleNext }
        if st.idleNext >= 0, let n = keys[Int(st.idleNext)] { n.idlePrev = st.idlePrev } else { idleTail = st.idlePrev }
        st.idle = false
        st.idlePrev = -1
        st.idleNext = -1
        idleCount -= 1
    }

    /// Forgets the key idle the longest; returns its state (nil: none idle).
    func removeOldestIdle() -> CEPKeyState? {
        guard idleHead >= 0 else { return nil }
        return remove(idleHead)
    }
}
