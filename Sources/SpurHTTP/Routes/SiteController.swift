import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/s.js` (cacheable, with an ETag) and CORS for beacons from the configured site origins.
struct SiteController: Sendable {
    let siteOrigins: Set<String>

    func register(on router: Router<CollectorContext>) {
        router.getAndHead("/s.js") { request, _ in self.script(request) }
        router.on("/e", method: .options) { request, _ in self.preflight(request) }
    }

    func script(_ request: Request) -> Response {
        var headers: HTTPFields = [
            .contentType: "application/javascript; charset=utf-8", .cacheControl: "public, max-age=300",
            .eTag: SiteScript.etag, .xContentTypeOptions: "nosniff",
        ]
        if request.headers[values: .ifNoneMatch].contains(where: {
            $0.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == SiteScript.etag }
        }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(SiteScript.body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: SiteScript.body))
    }

    func preflight(_ request: Request) -> Response {
        var response = Response(status: .noContent)
        guard let origin = request.headers[.origin], siteOrigins.contains(origin) else { return response }
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlAllowCredentials] = "true"
        response.headers[.accessControlAllowMethods] = "POST"
        response.headers[.accessControlAllowHeaders] = "Content-Type"
        response.headers[.accessControlMaxAge] = "86400"
        response.headers[.vary] = "Origin"
        return response
    }

    /// Adds CORS headers to a beacon response for an allowed origin.
    static func allowOrigin(_ request: Request, _ response: inout Response, origins: Set<String>) {
        guard let origin = request.headers[.origin], origins.contains(origin) else { return }
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlAllowCredentials] = "true"
        response.headers[.vary] = "Origin"
    }
}
