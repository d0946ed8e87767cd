import Testing
@testable import WeirParquet

@Suite struct RLEHybridTests {
    @Test func runOfZerosIsOneRLERun() {
        var out: [UInt8] = []
        RLEHybridEncoder.encode([UInt8](repeating: 0, count: 10), width: 1, into: &out)
        #expect(out == [0x14, 0x00])  // header 10 << 1, value in one byte
    }

    @Test func shortMixedValuesAreOneBitPackedGroup() {
        var out: [UInt8] = []
        RLEHybridEncoder.encode([UInt32(1), 2, 3], width: 2, into: &out)
        // header 1 group: (1 << 1) | 1; values LSB first: 01 10 11 00 | 00 00 00 00
        #expect(out == [0x03, 0x39, 0x00])
    }

    @Test func wideRLEValueTakesTwoBytes() {
        var out: [UInt8] = []
        RLEHybridEncoder.encode([UInt32](repeating: 0x1234, count: 9), width: 13, into: &out)
        #expect(out == [0x12, 0x34, 0x12])
    }

    @Test func roundTripsThroughAnIndependentDecoder() throws {
        var rng = SplitMix(seed: 42)
        for width in 0...20 {
            for _ in 0..<30 {
                let maxValue = width == 0 ? 0 : UInt32((UInt64(1) << UInt64(width)) - 1)
                var values: [UInt32] = []
                let n = Int(rng.next() % 600)
                while values.count < n {
                    let v = maxValue == 0 ? 0 : UInt32(rng.next() % UInt64(maxValue + 1))
                    // Mix long runs, short runs and noise.
                    let run = Int(rng.next() % 3 == 0 ? rng.next() % 40 : 1)
                    values.append(contentsOf: repeatElement(v, count: min(run, n - values.count)))
                }
                var out: [UInt8] = []
                RLEHybridEncoder.encode(values, width: width, into: &out)
                let decoded = decodeRLEHybrid(out, width: width, count: values.count)
                #expect(decoded == values, "width \(width), \(values.count) values")
            }
        }
    }

    @Test func longRunsCompress() {
        var values = [UInt8](repeating: 1, count: 100_000)
        values[500] = 0
        var out: [UInt8] = []
        RLEHybridEncoder.encode(values, width: 1, into: &out)
        #expect(out.count < 16)
        #expect(decodeRLEHybrid(out, width: 1, count: values.count) == values.map(UInt32.init))
    }

    @Test func bitWidths() {
        #expect(bitWidth(forMax: 0) == 0)
        #expect(bitWidth(forMax: 1) == 1)
        #expect(bitWidth(forMax: 2) == 2)
        #expect(bitWidth(forMax: 255) == 8)
        #expect(bitWidth(forMax: 256) == 9)
    }
}
