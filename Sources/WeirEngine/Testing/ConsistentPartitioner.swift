/// The partition librdkafka's default partitioner (`consistent_random`)
/// gives a keyed record: CRC-32 of the key modulo the partition count. The
/// test driver routes repartition records with it, as the producer would.
enum ConsistentPartitioner {
    static func partition(key: [UInt8]?, count: Int) -> Int {
        guard count > 1, let key, !key.isEmpty else { return 0 }
        return Int(crc32(key) % UInt32(count))
    }

    /// CRC-32 (IEEE 802.3, reflected, as zlib's), bit by bit: keys are short.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
