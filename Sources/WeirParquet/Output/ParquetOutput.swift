/// Where a file's bytes go, in order, once. The writer never seeks.
public protocol ParquetOutput: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws(ParquetError)
}

extension ParquetOutput {
    func write(_ bytes: [UInt8]) throws(ParquetError) {
        // withUnsafeBytes rethrows untyped errors: carry ours out in a Result.
        try bytes.withUnsafeBytes { p in Result { () throws(ParquetError) in try write(p) } }.get()
    }
}
