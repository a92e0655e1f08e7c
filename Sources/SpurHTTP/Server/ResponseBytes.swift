import HTTPTypes
import NIOCore

/// A `PlainResponse` as HTTP/1.1 bytes in one buffer, for the raw fast path: the status line,
/// the response's fields in order, `Content-Length` if it has none, `Connection: close` when the
/// connection ends after it, and the body unless the request was HEAD.
///
/// The pixel and the redirect, the answers to nearly every hit, are written from parts made once
/// from the same fields the router sends (`ResponseBytesTests` holds both ways equal).
enum ResponseBytes {
    static func encode(_ response: PlainResponse, withBody: Bool, closing: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        switch response.shape {
        case .pixel(let cookies) where !closing:
            if cookies.isEmpty { return withBody ? plainPixel : plainPixelHead }
            var out = allocator.buffer(capacity: pixelHead.readableBytes + 160 * cookies.count + 45)
            out.writeImmutableBuffer(pixelHead)
            writeCookies(cookies, into: &out)
            if withBody { out.writeImmutableBuffer(response.body) }
            return out
        case .redirect(let location, let cookies) where !closing:
            var out = allocator.buffer(capacity: 128 + location.utf8.count + 160 * cookies.count)
            out.writeStaticString("HTTP/1.1 302 Found\r\nLocation: ")
            out.writeString(location)
            out.writeImmutableBuffer(redirectRest)
            writeCookies(cookies, into: &out)
            return out
        default:
            return make(response.status, response.headers, response.body, withBody: withBody, closing: closing, allocator: allocator)
        }
    }

    private static let plainPixel = make(.ok, Responses.pixelFields(setCookies: []), Responses.gif, withBody: true)
    private static let plainPixelHead = make(.ok, Responses.pixelFields(setCookies: []), Responses.gif, withBody: false)
    /// The pixel's status line and fields, without the blank line that ends them.
    private static let pixelHead = withoutEnd(plainPixelHead)
    /// The redirect's fields after `Location`, without the blank line.
    private static let redirectRest: ByteBuffer = {
        var fields = Responses.redirectFields(location: "", setCookies: [])
        fields[.location] = nil
        var all = withoutEnd(make(.found, fields, ByteBuffer(), withBody: false))
        all.moveReaderIndex(forwardBy: "HTTP/1.1 302 Found".utf8.count)
        return all
    }()

    private static func withoutEnd(_ head: ByteBuffer) -> ByteBuffer {
        var head = head
        head.moveWriterIndex(to: head.writerIndex - 2)
        return head
    }

    private static func writeCookies(_ cookies: [String], into out: inout ByteBuffer) {
        for cookie in cookies {
            out.writeStaticString("Set-Cookie: ")
            out.writeString(cookie)
            out.writeStaticString("\r\n")
        }
        out.writeStaticString("\r\n")
    }

    static func make(
        _ status: HTTPResponse.Status, _ fields: HTTPFields, _ body: ByteBuffer, withBody: Bool, closing: Bool = false,
        allocator: ByteBufferAllocator = .init()
    ) -> ByteBuffer {
        var out = allocator.buffer(capacity: 320 + body.readableBytes)
        out.writeStaticString("HTTP/1.1 ")
        out.writeString(String(status.code))
        out.writeStaticString(" ")
        out.writeString(status.reasonPhrase)
        out.writeStaticString("\r\n")
        var hasLength = false
        for field in fields {
            if field.name == .contentLength { hasLength = true }
            out.writeString(field.name.rawName)
            out.writeStaticString(": ")
            out.writeString(field.value)
            out.writeStaticString("\r\n")
        }
        if !hasLength {
            out.writeStaticString("Content-Length: ")
            out.writeString(String(body.readableBytes))
            out.writeStaticString("\r\n")
        }
        if closing { out.writeStaticString("Connection: close\r\n") }
        out.writeStaticString("\r\n")
        if withBody { out.writeImmutableBuffer(body) }
        return out
    }
}
