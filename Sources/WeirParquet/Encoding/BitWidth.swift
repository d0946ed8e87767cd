/// Bits needed to store every value in 0...maxValue (0 for maxValue 0).
@inline(__always)
func bitWidth(forMax maxValue: UInt32) -> Int {
    maxValue == 0 ? 0 : 32 - maxValue.leadingZeroBitCount
}
