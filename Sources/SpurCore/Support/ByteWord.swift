/// Eight bytes tested at once ("SWAR"): the per-byte checks of the hot paths (the request
/// scanner, the event encoder) skip plain runs eight bytes at a time. Both tests are exact —
/// no false answers — for any byte values ("Bit Twiddling Hacks": hasless, haszero).
public enum ByteWord {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    public static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The eight bytes at `offset` (the caller has checked they are there).
    @inline(__always)
    public static func load(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }

    /// Whether a byte of `w` is below `n` (n ≤ 128).
    @inline(__always)
    public static func hasLess(_ w: UInt64, than n: UInt8) -> Bool {
        (w &- ones &* UInt64(n)) & ~w & highBits != 0
    }

    /// Whether a byte of `w` equals `b`.
    @inline(__always)
    public static func has(_ w: UInt64, _ b: UInt8) -> Bool {
        let x = w ^ (ones &* UInt64(b))
        return (x &- ones) & ~x & highBits != 0
    }
}
