import Synchronization

/// Unique event ids: `<node>-<boot id>-<counter>`. The boot id is random per process start, so
/// ids never repeat across restarts or nodes; the counter makes them cheap (one atomic add).
public final class EventIDGenerator: Sendable {
    private let prefix: String
    private let counter = Atomic<UInt64>(0)

    public init(node: String) {
        let boot = UInt64.random(in: 0..<(1 << 48))
        let hex = String(boot, radix: 16)
        prefix = node + "-" + String(repeating: "0", count: 12 - hex.count) + hex + "-"
    }

    public func next() -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return prefix + Self.base36(n)
    }

    private static let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)

    /// `String(n, radix: 36)` without its generic path (one per hit).
    static func base36(_ n: UInt64) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 13) { buffer in
            var n = n
            var i = 13
            repeat {
                i -= 1
                buffer[i] = digits[Int(n % 36)]
                n /= 36
            } while n > 0
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[i...]), as: UTF8.self)
        }
    }
}
