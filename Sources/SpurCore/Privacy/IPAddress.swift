import Foundation

/// An IPv4 or IPv6 address as bytes (4 or 16). IPv4-mapped IPv6 addresses count as IPv4.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(_ text: some StringProtocol) {
        var s = String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
        if s.hasPrefix("[") && s.hasSuffix("]") { s = String(s.dropFirst().dropLast()) }
        if let zone = s.firstIndex(of: "%") { s = String(s[..<zone]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, s, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, s, &v6) == 1 else { return nil }
        let raw = withUnsafeBytes(of: &v6) { Array($0) }
        if raw[0..<10].allSatisfy({ $0 == 0 }) && raw[10] == 0xFF && raw[11] == 0xFF {
            bytes = Array(raw[12..<16])
        } else {
            bytes = raw
        }
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// From the 4 or 16 bytes of a socket address, without going through text.
    package init?(networkBytes raw: [UInt8]) {
        switch raw.count {
        case 4: bytes = raw
        case 16:
            let mapped = raw[0..<10].allSatisfy { $0 == 0 } && raw[10] == 0xFF && raw[11] == 0xFF
            bytes = mapped ? Array(raw[12..<16]) : raw
        default: return nil
        }
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// Keeps the first `prefixLength` bits, zeroes the rest.
    public func masked(prefixLength: Int) -> IPAddress {
        var out = bytes
        for i in out.indices {
            let bitsHere = max(0, min(8, prefixLength - i * 8))
            out[i] &= bitsHere == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bitsHere))
        }
        return IPAddress(bytes: out)
    }

    /// The address as `--ip truncate` stores it: IPv4 /24, IPv6 /48 — but an IPv6 address that
    /// carries an IPv4 address keeps no more of it than an IPv4 address would: 6to4
    /// (2002:AABB:CCDD::/48 embeds AA.BB.CC.DD) is cut at /40, Teredo (2001:0::/32, the
    /// server's IPv4 next) at /32.
    public var truncated: IPAddress {
        if isIPv4 { return masked(prefixLength: 24) }
        if bytes[0] == 0x20 && bytes[1] == 0x02 { return masked(prefixLength: 40) }
        if bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0 && bytes[3] == 0 { return masked(prefixLength: 32) }
        return masked(prefixLength: 48)
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if isIPv4 {
            var a = in_addr()
            withUnsafeMutableBytes(of: &a) { $0.copyBytes(from: bytes) }
            inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count))
        } else {
            var a = in6_addr()
            withUnsafeMutableBytes(of: &a) { $0.copyBytes(from: bytes) }
            inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count))
        }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An address range such as `10.0.0.0/8` or `2001:db8::/32`; a bare address is a /32 or /128.
public struct IPNetwork: Sendable, Hashable {
    public let base: IPAddress
    public let prefixLength: Int

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let address = IPAddress(parts[0]) else { return nil }
        let maxBits = address.bytes.count * 8
        var length = maxBits
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...128).contains(n) else { return nil }
            // An IPv4-mapped IPv6 prefix ("::ffff:10.0.0.0/104") becomes an IPv4 prefix.
            length = address.isIPv4 && n > 32 ? n - 96 : n
            guard (0...maxBits).contains(length) else { return nil }
        }
        base = address.masked(prefixLength: length)
        prefixLength = length
    }

    public func contains(_ address: IPAddress) -> Bool {
        address.bytes.count == base.bytes.count && address.masked(prefixLength: prefixLength) == base
    }
}

/// How client IPs are stored (docs/privacy.md, `--ip` in docs/configuration.md).
public enum IPStorage: String, Sendable, CaseIterable {
    /// IPv4 /24, IPv6 /48 (default).
    case truncate
    /// The whole address (only where the operator has a legal basis for it).
    case full
    /// No IP at all.
    case none

    public func stored(_ address: IPAddress?) -> String? {
        guard let address else { return nil }
        switch self {
        case .truncate: return address.truncated.description
        case .full: return address.description
        case .none: return nil
        }
    }
}

/// Finds the client address: the peer, or — only when the peer is a trusted proxy — the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
public struct ClientAddressResolver: Sendable {
    public let trustedProxies: [IPNetwork]

    public init(trustedProxies: [IPNetwork]) {
        self.trustedProxies = trustedProxies
    }

    public func resolve(peer: IPAddress?, forwardedFor: [String]) -> IPAddress? {
        guard let peer, isTrusted(peer), !forwardedFor.isEmpty else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }
        var client = peer
        for hop in hops.reversed() {
            guard let address = IPAddress(hop) else { return client }
            client = address
            if !isTrusted(address) { break }
        }
        return client
    }

    private func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
