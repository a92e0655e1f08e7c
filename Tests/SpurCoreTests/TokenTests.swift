import Crypto
import Testing

@testable import SpurCore

@Suite struct TokenTests {
    let keyring = try! Keyring(parsing: "k1:0123456789abcdef0123456789abcdef\n")
    let click = LinkToken(kind: .click, campaign: "nl-2026-11", lead: "lead-42", url: "https://shop.example/paint?a=1&b=2")

    /// The keyed SHA-256 states give what swift-crypto's HMAC gives, for short, block-sized and
    /// long keys (hashed first) and payloads around the block size.
    @Test func theMACIsHMACSHA256() {
        for keyLength in [16, 32, 63, 64, 65, 100] {
            let keyBytes = (0..<keyLength).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ keyLength) }
            let key = Keyring.Key(id: "k", key: SymmetricKey(data: keyBytes))
            for payloadLength in [0, 1, 55, 56, 63, 64, 65, 200] {
                let payload = (0..<payloadLength).map { UInt8(truncatingIfNeeded: $0 &* 11 &+ 3) }
                let expected = Array(HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: keyBytes)))
                #expect(key.authenticationCode(for: payload) == expected, "key \(keyLength), payload \(payloadLength)")
            }
        }
    }

    @Test func punycodeMatchesTheRFCExamples() {
        #expect(Punycode.encode("bücher") == "bcher-kva")
        #expect(Punycode.encode("münchen") == "mnchen-3ya")
        #expect(Punycode.encode("他们为什么不说中文") == "ihqwcrb4cv8a8dqg056pqjye")
        #expect(Punycode.encode("Pročprostěnemluvíčesky".lowercased()) == "proprostnemluvesky-uyb24dma41a")
    }

    @Test func targetsAreNormalizedToASCIIURIs() {
        #expect(TargetURL.normalized("https://shop.example/a?b=c") == "https://shop.example/a?b=c")
        #expect(TargetURL.normalized("https://Shop.Example/Über-uns") == "https://Shop.Example/%C3%9Cber-uns")
        #expect(TargetURL.normalized("https://user@bücher.example:8443/ä?x=ü") == "https://user@xn--bcher-kva.example:8443/%C3%A4?x=%C3%BC")
        #expect(TargetURL.normalized("http://[2001:db8::1]:80/ö") == "http://[2001:db8::1]:80/%C3%B6")
    }

    @Test func signedTokensVerify() throws {
        let text = keyring.sign(click)
        #expect(try keyring.verify(text) == click)
        #expect(text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
        let open = LinkToken(kind: .open, campaign: "c", lead: "l")
        #expect(try keyring.verify(keyring.sign(open)) == open)
    }

    @Test func everyFlippedByteIsRejected() {
        let text = Array(keyring.sign(click).utf8)
        for i in text.indices {
            for replacement in [UInt8(ascii: "A"), UInt8(ascii: "_"), UInt8(ascii: "z")] where text[i] != replacement {
                var tampered = text
                tampered[i] = replacement
                let result = { try keyring.verify(String(decoding: tampered, as: UTF8.self)) }
                #expect(throws: SpurError.self, "byte \(i)") { try result() }
            }
        }
    }

    @Test func everyTruncationIsRejected() {
        let text = keyring.sign(click)
        for n in 0..<text.count {
            #expect(throws: SpurError.self) { try keyring.verify(String(text.prefix(n))) }
        }
        #expect(throws: SpurError.self) { try keyring.verify(text + "A") }
    }

    @Test func wrongKeyAndRetiredKeyAreRejected() throws {
        let other = try Keyring(parsing: "k1:ffffffffffffffffffffffffffffffff")
        #expect(throws: SpurError.token(.badSignature)) { try other.verify(keyring.sign(click)) }
        let rotated = try Keyring(parsing: "k1:0123456789abcdef0123456789abcdef\nk2:fedcba9876543210fedcba9876543210")
        // Old links keep working after rotation; new ones are signed with the newest key.
        #expect(try rotated.verify(keyring.sign(click)) == click)
        let fresh = rotated.sign(click)
        #expect(throws: SpurError.token(.unknownKey)) { try keyring.verify(fresh) }
        let retired = try Keyring(parsing: "k2:fedcba9876543210fedcba9876543210")
        #expect(throws: SpurError.token(.unknownKey)) { try retired.verify(keyring.sign(click)) }
        #expect(try retired.verify(fresh) == click)
    }

    @Test func contentIsValidated() {
        #expect(LinkToken(kind: .click, campaign: "c", url: "javascript:alert(1)").isValid == false)
        #expect(LinkToken(kind: .click, campaign: "c", url: "//evil.example").isValid == false)
        #expect(LinkToken(kind: .click, campaign: "c", url: "https://").isValid == false)
        #expect(LinkToken(kind: .click, campaign: "c", lead: "a@b.example", url: "https://x.example").isValid == false)
        #expect(LinkToken(kind: .click, campaign: "c d", url: "https://x.example").isValid == false)
        #expect(LinkToken(kind: .click, campaign: "c", url: nil).isValid == false)
        #expect(LinkToken(kind: .open, campaign: "c", lead: "l", url: "https://x.example").isValid == false)
        #expect(LinkToken(kind: .download, campaign: "c", url: "HTTPS://x.example/a.pdf").isValid)
        // Hosts that parsers disagree on, a user name before the host, no host at all.
        for url in [
            "http://\\evil.example", "https://good.example\\@evil.example", "https://good.example@evil.example/", "http://:80/",
            "https://[]/x", "https://good.example:8443\\x",
        ] {
            #expect(!LinkToken(kind: .click, campaign: "c", url: url).isValid, "\(url)")
        }
        for url in ["https://good.example:8443/a\\b", "http://[2001:db8::1]:8080/x", "https://good.example/?next=@x\\y"] {
            #expect(LinkToken(kind: .click, campaign: "c", url: url).isValid, "\(url)")
        }
    }

    @Test func secretsAreValidated() {
        #expect(throws: SpurError.self) { try Keyring(parsing: "") }
        #expect(throws: SpurError.self) { try Keyring(parsing: "k1:short") }
        #expect(throws: SpurError.self) { try Keyring(parsing: "k1:0123456789abcdef0\nk1:0123456789abcdef1") }
        #expect(throws: SpurError.self) { try Keyring(parsing: "bad id!:0123456789abcdef0123") }
        #expect(throws: Never.self) { try Keyring(parsing: Keyring.generate()) }
        #expect(throws: Never.self) { try Keyring(parsing: "# comment\n0123456789abcdef0123456789abcdef") }
    }

    @Test func base64URLIsStrict() {
        #expect(Base64URL.decode("QQ"[...].utf8) == [0x41])
        #expect(Base64URL.decode("QR"[...].utf8) == nil)  // non-canonical trailing bits
        #expect(Base64URL.decode("QQ=="[...].utf8) == nil)
        #expect(Base64URL.decode("Q"[...].utf8) == nil)
        for n in 0..<20 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            #expect(Base64URL.decode(Substring(Base64URL.encode(bytes)).utf8) == bytes)
        }
    }
}
