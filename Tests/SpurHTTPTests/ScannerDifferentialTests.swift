import Foundation
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import SpurCore
import SpurHTTP1
import Testing

@testable import SpurHTTP

/// The raw fast path's scanner against NIO's HTTP/1 parser (llhttp), the one Hummingbird uses:
/// on every input, whatever the scanner frames as requests NIO frames as the same requests,
/// ending at the same byte, with the same method, target, version and fields. Where the scanner
/// declines (`.unsupported`) NIO decides, so only its acceptances are checked.
@Suite struct ScannerDifferentialTests {
    /// The scanner's requests at the start of `bytes` and how many bytes they take.
    static func scannerFraming(_ bytes: [UInt8], _ scanner: RequestScanner = RequestScanner()) -> (requests: [ScannedRequest], length: Int) {
        var offset = 0
        var requests: [ScannedRequest] = []
        while offset < bytes.count, case .request(let request, let length) = scanner.scan(Array(bytes[offset...])) {
            requests.append(request)
            offset += length
            if request.closes { break }
        }
        return (requests, offset)
    }

    /// NIO's parts for `bytes`, and whether it failed.
    static func nioParts(_ bytes: [UInt8]) -> (parts: [HTTPServerRequestPart], failed: Bool) {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        var failed = false
        do { try channel.writeInbound(ByteBuffer(bytes: bytes)) } catch { failed = true }
        var parts: [HTTPServerRequestPart] = []
        while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) { parts.append(part) }
        _ = try? channel.finish()
        return (parts, failed)
    }

    /// Nil when NIO frames the scanner's accepted prefix exactly as the scanner did; else why not.
    static func disagreement(_ bytes: [UInt8]) -> String? {
        let (requests, length) = scannerFraming(bytes)
        guard !requests.isEmpty else { return nil }
        let (parts, failed) = nioParts(Array(bytes[..<length]))
        if failed { return "NIO refuses bytes the scanner took as \(requests.count) request(s)" }
        guard parts.count == 2 * requests.count else { return "NIO made \(parts.count) parts of \(requests.count) request(s)" }
        for (k, request) in requests.enumerated() {
            guard case .head(let head) = parts[2 * k], case .end(nil) = parts[2 * k + 1] else {
                return "request \(k): NIO sees a body or trailers"
            }
            if let why = differences(request, head) { return "request \(k): \(why)" }
        }
        return nil
    }

    static func differences(_ request: ScannedRequest, _ head: HTTPRequestHead) -> String? {
        let method: HTTPMethod = request.method == .get ? .GET : .HEAD
        guard head.method == method else { return "method \(head.method)" }
        guard head.uri == request.target else { return "target \(head.uri) vs \(request.target)" }
        guard head.version == .http1_1 else { return "version \(head.version)" }
        guard head.headers.count == request.fieldCount else { return "\(head.headers.count) fields vs \(request.fieldCount)" }
        guard head.headers["host"].count == 1 else { return "Host" }
        guard head.isKeepAlive == !request.closes else { return "keep-alive" }
        for field in ScannedRequest.Field.allCases {
            let values = head.headers[field.name.rawName].map(trimmed)
            guard values == (request[field].map { [$0] } ?? []) else { return "\(field): \(values) vs \(request[field] ?? "-")" }
        }
        guard head.headers["cookie"].map(trimmed) == request.cookies else { return "Cookie" }
        guard head.headers["x-forwarded-for"].map(trimmed) == request.forwardedFor else { return "X-Forwarded-For" }
        return nil
    }

    /// NIO keeps trailing whitespace in a value where HTTP types (and the scanner) drop it.
    static func trimmed(_ s: String) -> String {
        var v = Substring(s)
        while let l = v.last, l == " " || l == "\t" { v = v.dropLast() }
        while let f = v.first, f == " " || f == "\t" { v = v.dropFirst() }
        return String(v)
    }

    static let browser =
        "GET /o/abc.gif HTTP/1.1\r\nHost: t.example\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0\r\n"
        + "Accept: image/avif,image/webp,*/*\r\nReferer: https://mail.example/\r\nAccept-Language: de-DE,de;q=0.9\r\n"
        + "Cookie: spur_vid=0123456789abcdef0123456789abcdef; other=1\r\nDNT: 1\r\nSec-GPC: 1\r\n\r\n"

    /// Valid, odd and hostile requests (smuggling cases among them). The scanner may decline any;
    /// where it accepts, NIO must agree.
    static let corpus: [String] = [
        browser,
        "GET /c/tok HTTP/1.1\r\nHost: t\r\n\r\n",
        "HEAD /o/x.gif HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        "GET /p.gif?url=https%3A%2F%2Fs.example%2F&title=Hi HTTP/1.1\r\nHost: t\r\nConnection: keep-alive\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\n\r\nGET /c/y HTTP/1.1\r\nHost: t\r\n\r\nGET /p.gif HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 203.0.113.9\r\nX-Forwarded-For: 10.0.0.1, 10.0.0.2\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nhOsT: t\r\nuser-AGENT:ua\r\nReferer:   spaced   \r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nX-Empty:\r\nX-Tab:\tv\t\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nUser-Agent: caf\u{E9} \u{1F600}\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /o/y.gif HTTP/1.1\r\nHost: t\r\n\r\n",
        // Body framing and smuggling: the scanner must never take these.
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\nGET /c/y HTTP/1.1\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nX-Folded: a\r\n b\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\n Transfer-Encoding: chunked\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\nHost: t\n\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\nX: y\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\rX: y\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nX: a\u{0}b\r\n\r\n",
        "GET /o/x\u{0}.gif HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET http://evil.example/o/x.gif HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /o/x.gif HTTP/1.0\r\n\r\n",
        "GET /o/x.gif HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "GET /o/x.gif HTTP/2.0\r\nHost: t\r\n\r\n",
        "GET /o/x.gif http/1.1\r\nHost: t\r\n\r\n",
        "GET  /o/x.gif HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /o/x.gif  HTTP/1.1\r\nHost: t\r\n\r\n",
        "get /o/x.gif HTTP/1.1\r\nHost: t\r\n\r\n",
        "\r\nGET /o/x.gif HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nUser-Agent: a\r\nUser-Agent: b\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n\r\n",
        "GET /o/x.gif#frag HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nX\u{7F}: y\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\n: novalue\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nX:\u{7F}\r\n\r\n",
        "POST /o/x.gif HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
        "GET /o/x.gif?a=b%20c&d=%ZZ HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nConnection: close, keep-alive\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nConnection: keep-alive, TE\r\nTE: trailers\r\n\r\n",
        "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nProxy-Connection: keep-alive\r\n\r\n",
    ]

    @Test(arguments: corpus.indices)
    func theScannerFramesLikeNIO(_ index: Int) {
        let bytes = Array(Self.corpus[index].utf8)
        #expect(Self.disagreement(bytes) == nil, "\(Self.corpus[index].debugDescription)")
        // Every proper prefix of an input is either incomplete, declined, or frames alike too.
        for cut in stride(from: 1, to: bytes.count, by: 1) {
            let prefix = Array(bytes[..<cut])
            #expect(Self.disagreement(prefix) == nil, "\(String(decoding: prefix, as: UTF8.self).debugDescription)")
        }
    }

    /// The scanner takes the shapes browsers and mail clients send, so the fast path is used.
    @Test func ordinaryRequestsAreTaken() {
        for text in [Self.corpus[0], Self.corpus[1], Self.corpus[2], Self.corpus[3], Self.corpus[5], Self.corpus[9]] {
            guard case .request = RequestScanner().scan(Array(text.utf8)) else {
                Issue.record("declined: \(text.debugDescription)")
                continue
            }
        }
        #expect(Self.scannerFraming(Array(Self.corpus[4].utf8)).requests.map(\.target) == ["/o/x.gif", "/c/y", "/p.gif"])
        guard case .request(let r, _) = RequestScanner().scan(Array(Self.browser.utf8)) else { return }
        #expect(r[.userAgent] == "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0")
        #expect(r[.dnt] == "1" && r[.secGPC] == "1" && r[.acceptLanguage] == "de-DE,de;q=0.9")
        #expect(r.cookies == ["spur_vid=0123456789abcdef0123456789abcdef; other=1"])
    }

    /// Each hostile shape is declined — never framed, never refused by the scanner itself.
    @Test func smugglingShapesAreDeclined() {
        let fine = ["GET /o/x.gif?a=b", "GET /o/x.gif HTTP/1.1\r\nHost: t\r\nConnection: close, keep-alive"]
        for index in 11..<Self.corpus.count where !fine.contains(where: Self.corpus[index].hasPrefix) {
            let bytes = Array(Self.corpus[index].utf8)
            #expect(Self.scannerFraming(bytes).requests.isEmpty, "\(Self.corpus[index].debugDescription)")
        }
    }

    @Test func limitsAreLeftToTheFullImplementation() {
        let scanner = RequestScanner(maxTargetBytes: 32, maxHeadBytes: 64, maxFields: 3)
        #expect(scanner.scan(Array("GET /o/\(String(repeating: "a", count: 40)) HTTP/1.1\r\nHost: t\r\n\r\n".utf8)) == .unsupported)
        #expect(scanner.scan(Array("GET /o/a HTTP/1.1\r\nHost: t\r\nX: \(String(repeating: "b", count: 80))\r\n\r\n".utf8)) == .unsupported)
        #expect(scanner.scan(Array("GET /o/a HTTP/1.1\r\nHost: t\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n".utf8)) == .unsupported)
        #expect(scanner.scan(Array("GET /o/a HTTP/1.1\r\nHost: t\r\nA: 1\r\n".utf8)) == .incomplete)
    }

    /// The inputs libFuzzer kept for the `http` target (Tests/Fuzz/corpus/http) through both parsers.
    @Test func theFuzzCorpusFramesLikeNIO() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fuzz/corpus/http")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }
        #expect(files.count >= 7)
        var taken = 0
        for file in files {
            let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(file)))
            if !Self.scannerFraming(bytes).requests.isEmpty { taken += 1 }
            #expect(Self.disagreement(bytes) == nil, "\(file): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
        #expect(taken > 0)
    }

    /// Random damage to the corpus — flipped, inserted and deleted bytes, favouring the ones
    /// HTTP framing turns on — with a fixed seed, so a failure repeats.
    @Test func mutatedInputsFrameLikeNIO() {
        var rng = SplitMix64(seed: 0x5EED_0019)
        let special: [UInt8] = [0x0D, 0x0A, 0x00, 0x20, 0x09, 0x3A, 0x2C, 0x7F, 0xFF, 0x2F, 0x3F, 0x23]
        var checked = 0
        for _ in 0..<60000 {
            var bytes = Array(Self.corpus[Int(rng.next() % UInt64(Self.corpus.count))].utf8)
            for _ in 0...(rng.next() % 3) {
                let at = Int(rng.next() % UInt64(bytes.count))
                let byte = rng.next() % 2 == 0 ? special[Int(rng.next() % UInt64(special.count))] : UInt8(truncatingIfNeeded: rng.next())
                switch rng.next() % 3 {
                case 0: bytes[at] = byte
                case 1: bytes.insert(byte, at: at)
                default: if bytes.count > 1 { bytes.remove(at: at) }
                }
            }
            if !Self.scannerFraming(bytes).requests.isEmpty { checked += 1 }
            if let why = Self.disagreement(bytes) {
                Issue.record("\(why): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                return
            }
        }
        // Most damage makes the scanner decline; enough inputs must still be compared.
        #expect(checked > 3000)
    }
}
