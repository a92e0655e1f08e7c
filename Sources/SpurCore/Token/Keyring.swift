@preconcurrency import Crypto
import Foundation

/// The signing keys: the collector verifies with all of them and signs with the newest (last).
///
/// Text form, one key per line: `KEYID:SECRET` (key id 1–16 of `[A-Za-z0-9_-]`, secret at least
/// 16 bytes); `#` starts a comment. Rotate by appending a line; remove old lines to retire keys.
public struct Keyring: Sendable {
    public struct Key: Sendable {
        public let id: String
        let key: SymmetricKey
        /// HMAC state with the key already absorbed; copies of it skip the key setup per token.
        private let keyed: KeyedSHA256

        init(id: String, key: SymmetricKey) {
            self.id = id
            self.key = key
            keyed = KeyedSHA256(key: key)
        }

        /// HMAC-SHA256 (RFC 2104) of `payload`.
        func authenticationCode(for payload: [UInt8]) -> [UInt8] {
            keyed.code(for: payload)
        }
    }

    /// HMAC-SHA256 on the concrete `SHA256`: swift-crypto's `HMAC<H>` is generic and not
    /// inlinable, so every token paid for unspecialized code — a quarter of a click's own work
    /// (docs/performance.md). The inner and outer states with the padded key absorbed are kept;
    /// each code copies them. `TokenTests` hold the result equal to `HMAC<SHA256>`.
    private struct KeyedSHA256: @unchecked Sendable {
        let inner: SHA256
        let outer: SHA256

        init(key: SymmetricKey) {
            var block = key.withUnsafeBytes { Array($0) }
            if block.count > 64 { block = Array(SHA256.hash(data: block)) }
            block += [UInt8](repeating: 0, count: 64 - block.count)
            var inner = SHA256()
            var outer = SHA256()
            inner.update(data: block.map { $0 ^ 0x36 })
            outer.update(data: block.map { $0 ^ 0x5C })
            (self.inner, self.outer) = (inner, outer)
        }

        func code(for payload: [UInt8]) -> [UInt8] {
            var inner = inner
            payload.withUnsafeBytes { inner.update(bufferPointer: $0) }
            var outer = outer
            inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
            return outer.finalize().withUnsafeBytes { Array($0) }
        }
    }

    public let keys: [Key]
    /// Bytes of the HMAC-SHA256 tag kept in a token (128 bits).
    static let tagLength = 16
    /// Longest token accepted; larger ones are refused before any work.
    public static let maxTokenLength = 8192

    public init(parsing text: String) throws {
        var keys: [Key] = []
        for (number, raw) in text.split(whereSeparator: { $0 == "\n" || $0 == "," }).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let id: String
            let secret: Substring
            if let colon = line.firstIndex(of: ":") {
                id = String(line[..<colon])
                secret = line[line.index(after: colon)...]
            } else {
                id = "0"
                secret = Substring(line)
            }
            guard (1...16).contains(id.utf8.count),
                id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x5F || $0 == 0x2D })
            else { throw SpurError.secret("key \(number + 1): key id must be 1–16 letters, digits, '_' or '-'") }
            guard secret.utf8.count >= 16 else {
                throw SpurError.secret("key '\(id)': secret must be at least 16 bytes (32+ random characters recommended)")
            }
            guard !keys.contains(where: { $0.id == id }) else { throw SpurError.secret("key id '\(id)' appears twice") }
            keys.append(Key(id: id, key: SymmetricKey(data: Array(secret.utf8))))
        }
        guard !keys.isEmpty else { throw SpurError.secret("no key found in the secret") }
        self.keys = keys
    }

    /// A fresh secret in text form: one key with 256 random bits.
    public static func generate(keyID: String = "1") -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = rng.next() }
        return keyID + ":" + bytes.map { String(format: "%02x", $0) }.joined() + "\n"
    }

    /// The key new tokens are signed with.
    public var signingKey: Key { keys[keys.count - 1] }

    /// Signs `token` with the newest key. Precondition: `token.validate()` passes.
    public func sign(_ token: LinkToken) -> String {
        let key = signingKey
        let payload = token.payload(keyID: key.id)
        let mac = key.authenticationCode(for: payload)
        return Base64URL.encode(payload) + "." + Base64URL.encode(Array(mac.prefix(Self.tagLength)))
    }

    /// Verifies a token string and returns its content; throws `.token(why)`.
    public func verify(_ text: Substring) throws(SpurError) -> LinkToken {
        var text = text
        // On the contiguous bytes: every tracking hit verifies a token.
        let parts = text.withUTF8 { bytes -> (payload: [UInt8], tag: [UInt8])? in
            guard bytes.count <= Self.maxTokenLength, let dot = bytes.firstIndex(of: UInt8(ascii: ".")),
                let payload = Base64URL.decode(UnsafeBufferPointer(rebasing: bytes[..<dot])),
                let tag = Base64URL.decode(UnsafeBufferPointer(rebasing: bytes[(dot + 1)...]))
            else { return nil }
            return (payload, tag)
        }
        guard let (payload, tag) = parts, tag.count == Self.tagLength, let (keyID, token) = LinkToken.parse(payload: payload)
        else { throw .token(.malformed) }
        guard let key = keys.first(where: { $0.id == keyID }) else { throw .token(.unknownKey) }
        let mac = key.authenticationCode(for: payload)
        guard Self.constantTimeEquals(mac[0..<Self.tagLength], tag[...]) else { throw .token(.badSignature) }
        if let problem = token.contentProblem() { throw .token(.invalidContent(problem)) }
        return token
    }

    public func verify(_ text: String) throws(SpurError) -> LinkToken { try verify(Substring(text)) }

    static func constantTimeEquals(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a, b) { diff |= x ^ y }
        return diff == 0
    }
}
