import CZlib
import Foundation

/// Raw deflate / inflate (no zlib or gzip wrapper: segment frames write their own gzip header) and CRC-32.
enum Zlib {
    /// CRC-32 (IEEE, as in gzip) of `bytes` (an array or a slice of one), continuing from `crc`.
    static func crc32<Bytes: ContiguousBytes>(_ bytes: Bytes, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0 else { return crc }
            return UInt32(CZlib.crc32(UInt(crc), base.assumingMemoryBound(to: Bytef.self), UInt32(raw.count)))
        }
    }

    /// Compresses `input` into one complete raw-deflate stream (final block set).
    static func deflate(_ input: [UInt8], level: Int32) -> [UInt8] {
        var stream = z_stream()
        guard spur_deflateInit2(&stream, level, -15) == Z_OK else {
            preconditionFailure("deflateInit2 failed: zlib out of memory")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(input.count))) + 16
        var output = [UInt8](repeating: 0, count: bound)
        let produced: Int = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.avail_in = UInt32(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = UInt32(outBuf.count)
                let rc = CZlib.deflate(&stream, Z_FINISH)
                precondition(rc == Z_STREAM_END, "deflate with a deflateBound-sized buffer must finish")
                return outBuf.count - Int(stream.avail_out)
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// Inflates one complete raw-deflate stream that must end exactly at the end of `input`.
    /// Returns nil when the data is not a valid, complete stream or inflates past `limit` bytes.
    static func inflate(_ input: ArraySlice<UInt8>, expectedSize: Int, limit: Int) -> [UInt8]? {
        guard expectedSize <= limit else { return nil }
        var stream = z_stream()
        guard spur_inflateInit2(&stream, -15) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        // One spare byte so that output longer than announced is detected.
        var output = [UInt8](repeating: 0, count: expectedSize + 1)
        let result: (Int32, Int, Int) = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.avail_in = UInt32(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = UInt32(outBuf.count)
                let rc = CZlib.inflate(&stream, Z_FINISH)
                return (rc, outBuf.count - Int(stream.avail_out), Int(stream.avail_in))
            }
        }
        guard result.0 == Z_STREAM_END, result.2 == 0, result.1 == expectedSize else { return nil }
        output.removeLast()
        return output
    }
}
