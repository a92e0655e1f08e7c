import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An API error as `application/problem+json` (RFC 9457): a `type` naming the problem
/// (`urn:spur:problem:…`, listed in docs/api.md), the status, a short title and a detail that
/// says what was wrong and what to do.
struct Problem: Error, Sendable {
    enum Kind: String, Sendable, CaseIterable {
        case invalidParameter = "invalid-parameter"
        case invalidCursor = "invalid-cursor"
        case unauthorized
        case forbidden
        case notFound = "not-found"
        case methodNotAllowed = "method-not-allowed"
        case rateLimited = "rate-limited"
        case unavailable
        case internalError = "internal-error"

        var status: HTTPResponse.Status {
            switch self {
            case .invalidParameter, .invalidCursor: .badRequest
            case .unauthorized: .unauthorized
            case .forbidden: .forbidden
            case .notFound: .notFound
            case .methodNotAllowed: .methodNotAllowed
            case .rateLimited: .tooManyRequests
            case .unavailable: .serviceUnavailable
            case .internalError: .internalServerError
            }
        }
    }

    var kind: Kind
    var detail: String
    var headers: HTTPFields = [:]

    init(_ kind: Kind, _ detail: String, headers: HTTPFields = [:]) {
        self.kind = kind
        self.detail = detail
        self.headers = headers
    }

    var response: Response {
        let object: [String: Any] = [
            "type": "urn:spur:problem:" + kind.rawValue, "title": kind.status.reasonPhrase, "status": kind.status.code, "detail": detail,
        ]
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: kind.status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The problem an error thrown below the API stands for.
    static func from(_ error: HTTPError, _ request: Request) -> Problem {
        // The router knows no route for other methods: on an API path that is a 405.
        if error.status == .notFound && request.method != .get && APIRoutes.isRoute(request.uri.path) {
            return Problem(.methodNotAllowed, "The API only reads: use GET.", headers: [.allow: "GET"])
        }
        return switch error.status {
        case .notFound: Problem(.notFound, "There is no such API resource; see /api/v1/openapi.json.")
        case .methodNotAllowed: Problem(.methodNotAllowed, "The API only reads: use GET.", headers: [.allow: "GET"])
        default: Problem(.invalidParameter, error.body ?? error.status.reasonPhrase)
        }
    }
}
