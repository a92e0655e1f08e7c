import Foundation

/// Tokens for state-changing forms: random, compared in constant time.
enum CSRF {
    static func token() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func matches(_ a: String?, _ b: String?) -> Bool {
        guard let a, let b, !a.isEmpty, a.utf8.count == b.utf8.count else { return false }
        return zip(a.utf8, b.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
