import Foundation

/// Schemas by id, bounded: least recently used dropped first. Ids whose
/// lookup said "not found" are remembered until a deadline.
struct SchemaCache {
    let capacity: Int
    private var entries: [Int: (schema: RegisteredSchema, parsed: AvroSchema?, used: UInt64)] = [:]
    private var missing: [Int: UInt64] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    mutating func get(_ id: Int) -> RegisteredSchema? {
        guard let e = entries[id] else { return nil }
        clock += 1
        entries[id]?.used = clock
        return e.schema
    }

    mutating func parsed(_ id: Int) -> AvroSchema? {
        guard let p = entries[id]?.parsed else { return nil }
        clock += 1
        entries[id]?.used = clock
        return p
    }

    mutating func put(_ s: RegisteredSchema) {
        clock += 1
        missing[s.id] = nil
        if entries[s.id] == nil, entries.count >= capacity, let victim = entries.min(by: { $0.value.used < $1.value.used })?.key {
            entries[victim] = nil
        }
        entries[s.id] = (s, entries[s.id]?.parsed, clock)
    }

    mutating func putParsed(_ id: Int, _ p: AvroSchema) {
        entries[id]?.parsed = p
    }

    mutating func markMissing(_ id: Int, until: UInt64) {
        if missing.count >= capacity { missing.removeAll() }
        missing[id] = until
    }

    func isKnownMissing(_ id: Int, now: UInt64) -> Bool {
        guard let until = missing[id] else { return false }
        return now < until
    }
}
