import HTTPTypes
import NIOCore
import Testing

@testable import SpurHTTP

/// The raw fast path writes the pixel and the redirect from parts made once; these must be the
/// very bytes the general encoding of the same fields gives.
@Suite struct ResponseBytesTests {
    static let cookie = "spur_vid=0123456789abcdef0123456789abcdef; Max-Age=34214400; Path=/; SameSite=Lax; HttpOnly"

    static let responses: [(String, PlainResponse)] = [
        ("plain pixel", Responses.pixel()),
        ("pixel with a cookie", Responses.pixel(setCookies: [cookie])),
        ("redirect", Responses.redirect(to: "https://shop.example/p?a=1")),
        ("redirect with a cookie", Responses.redirect(to: "https://shop.example/p", setCookies: [cookie])),
        ("redirect to an IDN", Responses.redirect(to: "https://bücher.example/Über")),
        ("html", Responses.html(.badRequest, title: "t", message: "m")),
    ]

    @Test(arguments: responses.indices)
    func fastBytesEqualTheGeneralEncoding(_ index: Int) {
        let (name, response) = Self.responses[index]
        for withBody in [true, false] {
            for closing in [false, true] {
                let fast = ResponseBytes.encode(response, withBody: withBody, closing: closing, allocator: .init())
                let general = ResponseBytes.make(response.status, response.headers, response.body, withBody: withBody, closing: closing)
                #expect(String(buffer: fast) == String(buffer: general), "\(name), body \(withBody), closing \(closing)")
            }
        }
    }

    @Test func theRedirectCarriesTheNormalizedLocation() {
        let bytes = String(
            buffer: ResponseBytes.encode(Responses.redirect(to: "https://bücher.example/"), withBody: true, closing: false, allocator: .init()))
        #expect(bytes.hasPrefix("HTTP/1.1 302 Found\r\nLocation: https://xn--bcher-kva.example/\r\nCache-Control: no-store\r\n"))
        #expect(bytes.hasSuffix("Content-Length: 0\r\n\r\n"))
    }
}
