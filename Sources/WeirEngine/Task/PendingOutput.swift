import WeirKafka

/// Output a task holds back while its previous checkpoint commits in the
/// background: librdkafka refuses produce calls between `commit_transaction`'s
/// start and its end, and the next transaction cannot begin before then.
/// Replayed in order into the next transaction once the commit is done.
///
/// One byte arena and one entry array, both reused: holding a record copies
/// its bytes and allocates nothing once the arena has grown to a commit's worth
/// of output (headers of dead letters and late data, rare, allocate).
struct PendingOutput {
    enum Destination: UInt8 { case output, deadLetter, lateData, timedOut }

    private struct Entry {
        var destination: Destination
        var keyStart: Int
        var keyCount: Int   // -1: no key
        var valueStart: Int
        var valueCount: Int  // -1: no value
        var timestampMs: Int64  // -1: the producer stamps it
        var headers: [KafkaHeader]?
    }

    private var bytes: [UInt8] = []
    private var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var byteCount: Int { bytes.count }

    mutating func append(_ destination: Destination, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
                         timestampMs: Int64 = -1, headers: [KafkaHeader]? = nil) {
        let keyStart = bytes.count
        if let key { bytes.append(contentsOf: key) }
        let valueStart = bytes.count
        if let value { bytes.append(contentsOf: value) }
        entries.append(Entry(destination: destination, keyStart: keyStart, keyCount: key?.count ?? -1,
                             valueStart: valueStart, valueCount: value?.count ?? -1,
                             timestampMs: timestampMs, headers: headers))
    }

    /// Hands every held record to `body` in the order held, then forgets them
    /// (keeping the capacity). On a throw the records are kept.
    mutating func drain(_ body: (Destination, UnsafeRawBufferPointer?, UnsafeRawBufferPointer?, Int64, [KafkaHeader]?) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { all in
            for e in entries {
                let key = e.keyCount < 0 ? nil : UnsafeRawBufferPointer(rebasing: all[e.keyStart..<e.keyStart + e.keyCount])
                let value = e.valueCount < 0 ? nil : UnsafeRawBufferPointer(rebasing: all[e.valueStart..<e.valueStart + e.valueCount])
                try body(e.destination, key, value, e.timestampMs, e.headers)
            }
        }
        removeAll()
    }

    /// Drops what is held (the transaction it was meant for is aborted).
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }
}
