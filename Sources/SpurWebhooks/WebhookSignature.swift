import Crypto
import Foundation

/// `Spur-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the endpoint's
/// secret. The time is signed too, so a receiver can refuse replays of old deliveries
/// (docs/webhooks.md shows the check in shell, Python, PHP and Node).
public enum WebhookSignature {
    public static func header(body: some DataProtocol, secret: String, time: Int64) -> String {
        "t=\(time),v1=" + hex(body: body, secret: secret, time: time)
    }

    static func hex(body: some DataProtocol, secret: String, time: Int64) -> String {
        var message = Array("\(time).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `header` signs `body` with `secret` and its time is within `tolerance` seconds of `now`.
    public static func verify(header: String, body: some DataProtocol, secret: String, now: Int64, tolerance: Int64 = 300) -> Bool {
        var time: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2 else { continue }
            if kv[0] == "t" { time = Int64(kv[1]) } else if kv[0] == "v1" { signatures.append(kv[1]) }
        }
        guard let time, abs(now - time) <= tolerance else { return false }
        let expected = Array(hex(body: body, secret: secret, time: time).utf8)
        return signatures.contains { s in
            let given = Array(s.utf8)
            guard given.count == expected.count else { return false }
            return zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }
}
