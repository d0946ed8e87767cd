/// The keyed window state of one state partition: keys, windows, their
/// accumulators and timers. Everything lives in flat arrays indexed by small
/// ints, so a record for an existing (key, window) allocates nothing, and the
/// whole partition can be snapshotted, restored or dropped on its own.
///
/// - keys: a `ByteTable` (key bytes in an arena → key id), with per key the
///   number of live windows (a key is freed with its last window) and a
///   doubly linked list of its windows (sessions are merged per key);
/// - windows: entries `(key, start, end)` in a chained hash table; window id
///   `w` owns accumulator words `acc[w*width ..< (w+1)*width]`;
/// - aux: stored values of count-distinct, collect and first/last strings,
///   chained per (window, aggregate) through the table's `link`;
/// - timers: when each window fires / is purged.
final class KeyedWindowState {
    /// 40 bytes (no stored hash: it is recomputed on the rare unlink and
    /// rehash), so more windows share the cache: window lookups are misses.
    struct Window {
        var start: Int64
        var end: Int64
        var keyId: Int32
        var nextInBucket: Int32      // also the free-list link of a free entry
        var prevOfKey: Int32
        var nextOfKey: Int32
        var generation: UInt32
        var live: Bool
        var fired: Bool              // emitted at least once (next emission is an update)
    }

    let width: Int
    let keys = ByteTable(initialBuckets: 1024)
    // Hot properties are `@exclusivity(unchecked)`: one task thread owns this object and no
    // access overlaps, while the dynamic checks cost about a third of the per-record time.
    @exclusivity(unchecked) private(set) var keyWindowCount: [Int32] = []
    @exclusivity(unchecked) private(set) var keyFirstWindow: [Int32] = []

    @exclusivity(unchecked) private(set) var windows: [Window] = []
    @exclusivity(unchecked) private var buckets: [Int32]
    @exclusivity(unchecked) private var freeWindow: Int32 = -1
    @exclusivity(unchecked) private(set) var windowCount = 0
    /// Keys without windows that are still in `keys`. A tumbling window's key
    /// usually comes back in the next window, so a key is not freed with its
    /// last window: idle keys are swept in bulk once they are more than twice
    /// the peak number of keys with windows since the last sweep (compared
    /// with the peak, not the current number: when a minute's windows fire
    /// together, most keys are idle for a moment).
    @exclusivity(unchecked) private(set) var idleKeys = 0
    @exclusivity(unchecked) private var peakLiveKeys = 0

    @exclusivity(unchecked) var acc: [UInt64] = []
    let aux = ByteTable(initialBuckets: 64)
    let custom: [CustomAccumulatorStore]
    @exclusivity(unchecked) var timers = TimerQueue()
    /// The time this partition's windows are compared with: its watermark
    /// (event time) or the last processing time seen. Per partition, so that
    /// firing and lateness travel with the partition, whichever task owns it.
    @exclusivity(unchecked) var time: Int64 = .min

    init(width: Int, custom: [CustomAccumulatorStore]) {
        self.width = width
        self.custom = custom
        buckets = Array(repeating: -1, count: 1024)
    }

    // MARK: keys

    /// The id of a key, added if new.
    @inline(__always)
    func internKey(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let h = ByteHash.hash(bytes)
        var id = keys.find(owner: 0, bytes, hash: h)
        if id >= 0 {
            if keyWindowCount[Int(id)] == 0 { idleKeys -= 1 }   // idle (or just interned): in use again
        } else {
            id = keys.insert(owner: 0, bytes, hash: h)
            let i = Int(id)
            if i >= keyWindowCount.count {
                keyWindowCount.append(contentsOf: repeatElement(0, count: i + 1 - keyWindowCount.count))
                keyFirstWindow.append(contentsOf: repeatElement(-1, count: i + 1 - keyFirstWindow.count))
            }
            keyWindowCount[i] = 0
            keyFirstWindow[i] = -1
        }
        return id
    }

    /// Frees a key that has no window (after a record that was late for all of them).
    @inline(__always) func releaseKeyIfUnused(_ keyId: Int32) {
        if keyWindowCount[Int(keyId)] == 0 { keys.remove(keyId) }
    }

    /// A key lost its last window: keep it for a while (see `idleKeys`).
    private func keyBecameIdle(_ k: Int32) {
        let live = keys.count - idleKeys          // this key included: it was live until now
        if live > peakLiveKeys { peakLiveKeys = live }
        idleKeys += 1
        if idleKeys > 1024 && idleKeys > 2 * peakLiveKeys { sweepIdleKeys() }
    }

    /// Frees every key without windows (amortized: idle keys are many by then).
    private func sweepIdleKeys() {
        for i in keyWindowCount.indices where keyWindowCount[i] == 0 && keys.length(Int32(i)) >= 0 {
            keys.remove(Int32(i))
        }
        idleKeys = 0
        peakLiveKeys = keys.count
    }

    @inline(__always) func keyHash(_ keyId: Int32) -> UInt64 { keys.entries[Int(keyId)].hash }

    // MARK: windows

    @inline(__always) private func windowHash(_ keyId: Int32, _ start: Int64, _ end: Int64) -> UInt64 {
        ByteHash.combine(ByteHash.combine(UInt64(UInt32(bitPattern: keyId)), UInt64(bitPattern: start)),
                         UInt64(bitPattern: end))
    }

    @inline(__always)
    func findWindow(_ keyId: Int32, _ start: Int64, _ end: Int64) -> Int32 {
        // The key's newest window is usually the one (tumbling windows, in-order
        // input): its entry is needed anyway, the bucket read is saved.
        let head = keyFirstWindow[Int(keyId)]
        if head >= 0 {
            let w = windows[Int(head)]
            if w.start == start && w.end == end { return head }
        }
        let h = windowHash(keyId, start, end)
        var i = buckets[Int(h & UInt64(buckets.count - 1))]
        while i >= 0 {
            let w = windows[Int(i)]
            if w.keyId == keyId && w.start == start && w.end == end { return i }
            i = w.nextInBucket
        }
        return -1
    }

    /// Adds a window (absent, as the caller checked). Its accumulator words are
    /// zero; the aggregators initialize them.
    func createWindow(_ keyId: Int32, _ start: Int64, _ end: Int64) -> Int32 {
        if windowCount + 1 > buckets.count - buckets.count / 4 { growBuckets() }
        let h = windowHash(keyId, start, end)
        let id: Int32
        if freeWindow >= 0 {
            id = freeWindow
            freeWindow = windows[Int(id)].nextInBucket
        } else {
            id = Int32(truncatingIfNeeded: windows.count)
            windows.append(Window(start: 0, end: 0, keyId: -1, nextInBucket: -1, prevOfKey: -1,
                                  nextOfKey: -1, generation: 0, live: false, fired: false))
            acc.append(contentsOf: repeatElement(0, count: width))
        }
        let i = Int(id)
        let b = Int(h & UInt64(buckets.count - 1))
        let head = keyFirstWindow[Int(keyId)]
        windows[i].start = start
        windows[i].end = end
        windows[i].keyId = keyId
        windows[i].nextInBucket = buckets[b]
        windows[i].prevOfKey = -1
        windows[i].nextOfKey = head
        windows[i].generation &+= 1
        windows[i].live = true
        windows[i].fired = false
        buckets[b] = id
        if head >= 0 { windows[Int(head)].prevOfKey = id }
        keyFirstWindow[Int(keyId)] = id
        keyWindowCount[Int(keyId)] += 1
        windowCount += 1
        let base = i * width
        for j in base..<base + width { acc[j] = 0 }
        return id
    }

    /// Gives a live window new bounds (a session merge); stale timers of its old
    /// identity are invalidated by the generation.
    func rekeyWindow(_ id: Int32, start: Int64, end: Int64) {
        unlinkBucket(id)
        let i = Int(id)
        let h = windowHash(windows[i].keyId, start, end)
        let b = Int(h & UInt64(buckets.count - 1))
        windows[i].start = start
        windows[i].end = end
        windows[i].nextInBucket = buckets[b]
        windows[i].generation &+= 1
        windows[i].fired = false
        buckets[b] = id
    }

    /// Removes a window (its aggregator side state must be freed first); frees
    /// its key when it was the key's last window.
    func removeWindow(_ id: Int32) {
        let i = Int(id)
        guard windows[i].live else { return }
        unlinkBucket(id)
        let k = windows[i].keyId
        let prev = windows[i].prevOfKey, next = windows[i].nextOfKey
        if prev >= 0 { windows[Int(prev)].nextOfKey = next } else { keyFirstWindow[Int(k)] = next }
        if next >= 0 { windows[Int(next)].prevOfKey = prev }
        windows[i].live = false
        windows[i].generation &+= 1
        windows[i].nextInBucket = freeWindow
        freeWindow = id
        windowCount -= 1
        keyWindowCount[Int(k)] -= 1
        if keyWindowCount[Int(k)] == 0 { keyBecameIdle(k) }
    }

    @inline(__always) func setFired(_ id: Int32) { windows[Int(id)].fired = true }

    func pushTimer(_ id: Int32, at time: Int64) {
        let w = windows[Int(id)]
        timers.push(.init(time: time, start: w.start, keyHash: keyHash(w.keyId), window: id, generation: w.generation))
    }

    /// A copy of what `StateSnapshot.write` reads (keys, windows, accumulators,
    /// side values), so that the snapshot can be written on another thread
    /// while this state goes on changing. The arrays are copied here, on the
    /// task thread, so the checkpoint pause includes the copy and no deferred
    /// copy-on-write lands on a later record; the copy of the previous
    /// checkpoint is reused once its writer has let go of it, so the copy is a
    /// memcpy into memory already mapped, not a page fault per 4 KiB (it keeps
    /// a second copy of the state's arrays alive between checkpoints).
    /// Nil with custom aggregates: their accumulators are user types that may
    /// share references. The copy has no window index and no timers: it is
    /// written out, never updated.
    func snapshotCopy() -> KeyedWindowState? {
        guard custom.isEmpty else { return nil }
        // Uniquely referenced: the last snapshot's writer is done with it.
        if !isKnownUniquelyReferenced(&snapshotSpare) { snapshotSpare = KeyedWindowState(width: width, custom: []) }
        guard let copy = snapshotSpare else { return nil }
        copy.keys.copyContents(of: keys)
        copy.aux.copyContents(of: aux)
        copy.windows.replaceContents(with: windows)
        copy.acc.replaceContents(with: acc)
        copy.windowCount = windowCount
        return copy
    }

    private var snapshotSpare: KeyedWindowState?

    /// The sizes a copy of this state needs (its arrays' element counts and bytes).
    struct CopySizes {
        var windows, acc, keyEntries, keyBytes, auxEntries, auxBytes: Int
        func scaled(by f: Double) -> CopySizes {
            let s = { (n: Int) in Int(Double(n) * f) }
            return CopySizes(windows: s(windows), acc: s(acc), keyEntries: s(keyEntries), keyBytes: s(keyBytes),
                             auxEntries: s(auxEntries), auxBytes: s(auxBytes))
        }
    }

    var copySizes: CopySizes {
        CopySizes(windows: windows.count, acc: acc.count, keyEntries: keys.entries.count, keyBytes: keys.arenaBytes,
                  auxEntries: aux.entries.count, auxBytes: aux.arenaBytes)
    }

    /// Whether a copy of `sizes` fits this (spare) state's memory with a quarter to spare.
    private func hasRoom(for sizes: CopySizes) -> Bool {
        let roomy = { (capacity: Int, count: Int) in capacity >= count + count / 4 }
        return roomy(windows.capacity, sizes.windows) && roomy(acc.capacity, sizes.acc)
            && roomy(keys.entryCapacity, sizes.keyEntries) && roomy(keys.arenaCapacity, sizes.keyBytes)
            && roomy(aux.entryCapacity, sizes.auxEntries) && roomy(aux.arenaCapacity, sizes.auxBytes)
    }

    /// Grows this (spare) state's arrays to `sizes` with their pages touched, so
    /// that a later copy into them is a memcpy, not a page fault per 4 KiB.
    private func prefault(to sizes: CopySizes) {
        windows.prefault(capacity: sizes.windows, filler: Window(start: 0, end: 0, keyId: -1, nextInBucket: -1, prevOfKey: -1,
                                                                nextOfKey: -1, generation: 0, live: false, fired: false))
        acc.prefault(capacity: sizes.acc, filler: 0)
        keys.prefault(entries: sizes.keyEntries, arenaBytes: sizes.keyBytes)
        aux.prefault(entries: sizes.auxEntries, arenaBytes: sizes.auxBytes)
    }

    /// Called on the task thread halfway to a periodic checkpoint: when the
    /// next copy would not fit the spare's mapped memory, returns the work that
    /// maps more (room for `factor` times the arrays' sizes now: the state is
    /// still growing), to run on another thread. A state's first copy had no
    /// spare and went into fresh memory: its page faults made that pause 3-4
    /// times the later ones; a state can also outgrow what `prepareForNextCopy`
    /// mapped. Nil when the spare has room (a quarter to spare), is still being
    /// written (the writer holds it), there is nothing to size it by, or custom
    /// aggregates (no copies). Should the checkpoint come while the work runs,
    /// the spare is not uniquely referenced and `snapshotCopy` takes a fresh
    /// one: correct, only slower.
    func snapshotSpareWarmUp(factor: Double) -> (() -> Void)? {
        guard custom.isEmpty, !windows.isEmpty else { return nil }
        if snapshotSpare == nil { snapshotSpare = KeyedWindowState(width: width, custom: []) }
        guard isKnownUniquelyReferenced(&snapshotSpare), let spare = snapshotSpare else { return nil }
        let sizes = copySizes
        if spare.hasRoom(for: sizes) { return nil }
        let target = sizes.scaled(by: factor)
        return { spare.prefault(to: target) }
    }

    /// On a snapshot copy, after it was written (off the task thread): makes
    /// room for the next copy of a state up to half as large again, with its
    /// pages touched, so that a growing state's next copy is still a memcpy
    /// and not page faults in the task's pause.
    func prepareForNextCopy() {
        prefault(to: copySizes.scaled(by: 1.5))
    }

    /// Drops everything, keeping capacity.
    func removeAll() {
        keys.removeAll()
        aux.removeAll()
        for c in custom { c.removeAll() }
        keyWindowCount.removeAll(keepingCapacity: true)
        keyFirstWindow.removeAll(keepingCapacity: true)
        windows.removeAll(keepingCapacity: true)
        acc.removeAll(keepingCapacity: true)
        for i in buckets.indices { buckets[i] = -1 }
        freeWindow = -1
        windowCount = 0
        idleKeys = 0
        peakLiveKeys = 0
        timers.removeAll()
    }

    private func unlinkBucket(_ id: Int32) {
        let w = windows[Int(id)]
        let b = Int(windowHash(w.keyId, w.start, w.end) & UInt64(buckets.count - 1))
        if buckets[b] == id { buckets[b] = windows[Int(id)].nextInBucket; return }
        var p = buckets[b]
        while p >= 0 {
            let n = windows[Int(p)].nextInBucket
            if n == id { windows[Int(p)].nextInBucket = windows[Int(id)].nextInBucket; return }
            p = n
        }
    }

    private func growBuckets() {
        let n = buckets.count * 2
        buckets = Array(repeating: -1, count: n)
        for i in windows.indices where windows[i].live {
            let b = Int(windowHash(windows[i].keyId, windows[i].start, windows[i].end) & UInt64(n - 1))
            windows[i].nextInBucket = buckets[b]
            buckets[b] = Int32(i)
        }
    }
}
