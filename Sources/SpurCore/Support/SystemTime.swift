import Foundation

package enum SystemTime {
    /// Wall-clock time in Unix epoch milliseconds (event `ts`, segment names).
    package static func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Monotonic time for intervals (rotation age, latencies); immune to clock jumps.
    package static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Calendar fields of a Unix-ms time in UTC, zero-padded: year(4) month day hour minute second.
    package static func utcFields(_ millis: Int64) -> [String] {
        var seconds = time_t(millis / 1000)
        var t = tm()
        gmtime_r(&seconds, &t)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return [pad(t.tm_year + 1900, 4), pad(t.tm_mon + 1, 2), pad(t.tm_mday, 2), pad(t.tm_hour, 2), pad(t.tm_min, 2), pad(t.tm_sec, 2)]
    }
}
