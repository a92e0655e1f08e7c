import Testing

@testable import SpurCore

@Suite struct IPAddressTests {
    @Test func truncatesByDefault() {
        #expect(IPStorage.truncate.stored(IPAddress("203.0.113.77")) == "203.0.113.0")
        #expect(IPStorage.truncate.stored(IPAddress("2001:db8:abcd:12:34::1")) == "2001:db8:abcd::")
        #expect(IPStorage.truncate.stored(IPAddress("::ffff:198.51.100.9")) == "198.51.100.0")
        #expect(IPStorage.full.stored(IPAddress("203.0.113.77")) == "203.0.113.77")
        #expect(IPStorage.none.stored(IPAddress("203.0.113.77")) == nil)
        #expect(IPAddress("not an ip") == nil)
        // IPv6 addresses that carry an IPv4 address keep no more of it than /24.
        #expect(IPStorage.truncate.stored(IPAddress("2002:cb00:714d:1::1")) == "2002:cb00:7100::")
        #expect(IPStorage.truncate.stored(IPAddress("2001:0:4136:e378:8000:63bf:3fff:fdd2")) == "2001::")
    }

    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() {
        let resolver = ClientAddressResolver(trustedProxies: [IPNetwork("10.0.0.0/8")!, IPNetwork("::1")!])
        let client = resolver.resolve(peer: IPAddress("10.1.2.3"), forwardedFor: ["198.51.100.7, 10.9.9.9"])
        #expect(client == IPAddress("198.51.100.7"))
        // A spoofed left-most entry does not win over the real client the proxy appended.
        let spoofed = resolver.resolve(peer: IPAddress("10.1.2.3"), forwardedFor: ["1.1.1.1, 198.51.100.7"])
        #expect(spoofed == IPAddress("198.51.100.7"))
        let untrusted = resolver.resolve(peer: IPAddress("192.0.2.1"), forwardedFor: ["198.51.100.7"])
        #expect(untrusted == IPAddress("192.0.2.1"))
        #expect(IPNetwork("10.0.0.0/33") == nil)
    }
}
