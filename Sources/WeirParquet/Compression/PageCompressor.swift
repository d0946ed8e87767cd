import CSnappy
import CZstd

/// Compresses page bodies, reusing one zstd context and one output buffer for
/// the life of the writer (no allocation per page in steady state).
final class PageCompressor {
    let compression: Compression
    private var zstd: OpaquePointer?
    private var scratch: [UInt8] = []

    init(_ compression: Compression) throws(ParquetError) {
        self.compression = compression
        if case .zstd(let level) = compression {
            guard let ctx = ZSTD_createCCtx() else { throw .compression("ZSTD_createCCtx failed") }
            zstd = ctx
            let r = ZSTD_CCtx_setParameter(ctx, ZSTD_c_compressionLevel, level)
            if ZSTD_isError(r) != 0 { throw .compression("zstd level \(level) refused") }
        }
    }

    deinit {
        if let zstd { ZSTD_freeCCtx(zstd) }
    }

    /// Appends the compressed form of `input` to `out`; returns the bytes appended.
    func compress(_ input: UnsafeRawBufferPointer, appendingTo out: inout [UInt8]) throws(ParquetError) -> Int {
        switch compression {
        case .none:
            out.append(contentsOf: input)
            return input.count
        case .snappy:
            let bound = snappy_max_compressed_length(input.count)
            ensureScratch(bound)
            var length = bound
            let status = scratch.withUnsafeMutableBytes { dst in
                snappy_compress(input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count,
                                dst.baseAddress?.assumingMemoryBound(to: CChar.self), &length)
            }
            guard status == SNAPPY_OK else { throw .compression("snappy_compress failed (\(status.rawValue))") }
            out.append(contentsOf: scratch[0..<length])
            return length
        case .zstd:
            let bound = ZSTD_compressBound(input.count)
            ensureScratch(bound)
            let ctx = zstd
            let written = scratch.withUnsafeMutableBytes { dst in
                ZSTD_compress2(ctx, dst.baseAddress, bound, input.baseAddress, input.count)
            }
            if ZSTD_isError(written) != 0 {
                throw .compression(String(cString: ZSTD_getErrorName(written)))
            }
            out.append(contentsOf: scratch[0..<written])
            return written
        }
    }

    private func ensureScratch(_ count: Int) {
        if scratch.count < count { scratch = [UInt8](repeating: 0, count: count) }
    }
}
