/// Collects the file in memory (tests, or a sink that uploads whole files).
public final class MemoryOutput: ParquetOutput {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public func write(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        self.bytes.append(contentsOf: bytes)
    }
}
