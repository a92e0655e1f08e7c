import HTTPTypes
import NIOCore

/// A `PlainResponse` as HTTP/1.1 bytes in one buffer, for the raw fast path: the status line,
/// the response's fields as they are, `Content-Length` if it has none, `Connection: close` when
/// the connection ends after it, and the body unless the request was HEAD.
enum ResponseBytes {
    static func encode(_ response: PlainResponse, withBody: Bool, closing: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        if response.isPlainPixel, !closing { return withBody ? plainPixel : plainPixelHead }
        return make(response, withBody: withBody, closing: closing, allocator: allocator)
    }

    private static let plainPixel = make(Responses.plainPixel, withBody: true, closing: false, allocator: .init())
    private static let plainPixelHead = make(Responses.plainPixel, withBody: false, closing: false, allocator: .init())

    private static func make(_ response: PlainResponse, withBody: Bool, closing: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        var out = allocator.buffer(capacity: 320 + response.body.readableBytes)
        out.writeStaticString("HTTP/1.1 ")
        out.writeString(String(response.status.code))
        out.writeStaticString(" ")
        out.writeString(response.status.reasonPhrase)
        out.writeStaticString("\r\n")
        for field in response.headers {
            out.writeString(field.name.rawName)
            out.writeStaticString(": ")
            out.writeString(field.value)
            out.writeStaticString("\r\n")
        }
        if response.headers[.contentLength] == nil {
            out.writeStaticString("Content-Length: ")
            out.writeString(String(response.body.readableBytes))
            out.writeStaticString("\r\n")
        }
        if closing { out.writeStaticString("Connection: close\r\n") }
        out.writeStaticString("\r\n")
        if withBody { out.writeImmutableBuffer(response.body) }
        return out
    }
}
