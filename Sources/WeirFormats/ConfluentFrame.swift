/// Confluent's wire framing: magic byte 0, a 4-byte big-endian schema id, then
/// the payload. A JSON text never starts with byte 0, so framed and plain
/// records can be told apart without configuration.
public enum ConfluentFrame {
    public static let magicByte: UInt8 = 0
    public static let headerSize = 5

    /// Whether the decoder expects the frame.
    public enum Expectation: Sendable {
        case plain      // bytes are JSON as they are (a leading 0 byte is a syntax error)
        case allowed    // strip a frame when one is there
        case required   // refuse records without a frame
    }

    /// Splits off the frame when one is there. Bytes that start with the magic
    /// byte but are shorter than the header come back unchanged with no id
    /// (the decoder reports them as `.badFrame`).
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> (schemaID: UInt32?, payload: UnsafeRawBufferPointer) {
        guard bytes.count >= headerSize, bytes[0] == magicByte else { return (nil, bytes) }
        let id = UInt32(bytes[1]) << 24 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 8 | UInt32(bytes[4])
        return (id, UnsafeRawBufferPointer(rebasing: bytes[headerSize...]))
    }

    /// Writes a frame header (for tests and for producers that frame JSON).
    public static func header(schemaID: UInt32) -> [UInt8] {
        [magicByte, UInt8(truncatingIfNeeded: schemaID >> 24), UInt8(truncatingIfNeeded: schemaID >> 16),
         UInt8(truncatingIfNeeded: schemaID >> 8), UInt8(truncatingIfNeeded: schemaID)]
    }
}
