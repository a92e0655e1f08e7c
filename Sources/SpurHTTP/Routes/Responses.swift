import HTTPTypes
import Hummingbird
import NIOCore
import SpurCore

/// Fixed responses and headers shared by the routes.
enum Responses {
    /// The classic 43-byte transparent 1×1 GIF.
    static let gifBytes: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ]
    static let gif = ByteBuffer(bytes: gifBytes)
    static let noStore = "no-store, no-cache, must-revalidate, private"

    static func pixel(setCookies: [String] = []) -> PlainResponse {
        PlainResponse(status: .ok, shape: .pixel(setCookies: setCookies), body: gif)
    }

    static func pixelFields(setCookies: [String]) -> HTTPFields {
        var headers: HTTPFields = [
            .contentType: "image/gif",
            .cacheControl: noStore,
            .pragma: "no-cache",
            .expires: "0",
            .contentLength: "43",
            .xContentTypeOptions: "nosniff",
        ]
        for c in setCookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        return headers
    }

    static func redirect(to location: String, setCookies: [String] = []) -> PlainResponse {
        PlainResponse(
            status: .found, shape: .redirect(location: TargetURL.normalized(location), setCookies: setCookies), body: ByteBuffer())
    }

    /// `location` is normalized already.
    static func redirectFields(location: String, setCookies: [String]) -> HTTPFields {
        var headers: HTTPFields = [
            .location: location,
            .cacheControl: "no-store",
            .referrerPolicy: "no-referrer",
            .contentLength: "0",
        ]
        for c in setCookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        return headers
    }

    static func text(_ status: HTTPResponse.Status, _ body: String, cache: String = "no-store") -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/plain; charset=utf-8", .cacheControl: cache, .xContentTypeOptions: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: body.hasSuffix("\n") ? body : body + "\n")))
    }

    /// A plain-text refusal that tells the client when to try again (`429`, `503`).
    static func retryLater(_ status: HTTPResponse.Status, _ message: String, after seconds: Int) -> Response {
        var response = text(status, message)
        response.headers[.retryAfter] = String(seconds)
        return response
    }

    static func html(
        _ status: HTTPResponse.Status, title: String, message: String, language: PageLanguage = .en, setCookies: [String] = []
    ) -> PlainResponse {
        let page = """
            <!doctype html>
            <html lang="\(language.rawValue)"><head><meta charset="utf-8"><meta name="robots" content="noindex">
            <meta name="viewport" content="width=device-width, initial-scale=1"><title>\(title)</title></head>
            <body style="font-family: system-ui, sans-serif; max-width: 36em; margin: 4em auto; padding: 0 1em">
            <h1>\(title)</h1><p>\(message)</p></body></html>

            """
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .xContentTypeOptions: "nosniff",
            .xRobotsTag: "noindex", .contentLanguage: language.rawValue, .vary: "Accept-Language",
        ]
        for c in setCookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        return PlainResponse(status: status, headers: headers, body: ByteBuffer(string: page))
    }
}

/// A complete response held in memory, so both the router and the event-loop fast path
/// (`TrackingScannerHandler`) can send it.
struct PlainResponse: Sendable {
    var status: HTTPResponse.Status
    var shape: Shape
    var body: ByteBuffer

    /// The fields, or for the two answers of nearly every tracking hit what makes them: the raw
    /// fast path writes those straight as bytes (`ResponseBytes`), without building `HTTPFields`.
    enum Shape: Sendable {
        case fields(HTTPFields)
        case pixel(setCookies: [String])
        /// `location` as it goes into the header (`TargetURL.normalized`).
        case redirect(location: String, setCookies: [String])
    }

    init(status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) {
        self.init(status: status, shape: .fields(headers), body: body)
    }

    init(status: HTTPResponse.Status, shape: Shape, body: ByteBuffer) {
        self.status = status
        self.shape = shape
        self.body = body
    }

    var headers: HTTPFields {
        switch shape {
        case .fields(let fields): fields
        case .pixel(let cookies): Responses.pixelFields(setCookies: cookies)
        case .redirect(let location, let cookies): Responses.redirectFields(location: location, setCookies: cookies)
        }
    }

    var response: Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}

/// `Set-Cookie` values for the visitor and opt-out cookies.
struct CookieWriter: Sendable {
    let domain: String?
    let secure: Bool
    /// 13 months, the longest a tracking cookie should live.
    static let maxAge = 34_214_400

    func visitor(_ id: String) -> String {
        cookie(RequestFacts.visitorCookie, id, maxAge: Self.maxAge, httpOnly: true)
    }

    func clearVisitor() -> String {
        cookie(RequestFacts.visitorCookie, "", maxAge: 0, httpOnly: true)
    }

    /// The consent cookie: readable by the tracking host only (HttpOnly), as long as the visitor cookie.
    func consent() -> String {
        cookie(RequestFacts.consentCookie, "1", maxAge: Self.maxAge, httpOnly: true)
    }

    func clearConsent() -> String {
        cookie(RequestFacts.consentCookie, "", maxAge: 0, httpOnly: true)
    }

    func optOut() -> String {
        cookie(RequestFacts.optOutCookie, "1", maxAge: Self.maxAge, httpOnly: false)
    }

    func clearOptOut() -> String {
        cookie(RequestFacts.optOutCookie, "", maxAge: 0, httpOnly: false)
    }

    private func cookie(_ name: String, _ value: String, maxAge: Int, httpOnly: Bool) -> String {
        var s = "\(name)=\(value); Max-Age=\(maxAge); Path=/; SameSite=Lax"
        if let domain { s += "; Domain=\(domain)" }
        if secure { s += "; Secure" }
        if httpOnly { s += "; HttpOnly" }
        return s
    }
}

/// Reading a request body: too large is `413`, anything else (a broken chunked encoding, a
/// connection cut mid-body) is `400` — the client sent something wrong, not too much.
enum RequestBodyReader {
    static func collect(_ request: Request, limit: Int) async -> Result<ByteBuffer, PlainResponseError> {
        do {
            return .success(try await request.body.collect(upTo: limit))
        } catch is NIOTooManyBytesError {
            return .failure(PlainResponseError(response: Responses.text(.contentTooLarge, "The body is larger than \(limit) bytes.")))
        } catch {
            return .failure(PlainResponseError(response: Responses.text(.badRequest, "The request body is malformed.")))
        }
    }
}

/// An answer in place of a body that could not be read.
struct PlainResponseError: Error {
    let response: Response
}
