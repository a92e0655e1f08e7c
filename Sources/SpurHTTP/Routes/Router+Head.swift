import Hummingbird

extension Router {
    /// Registers `handler` for GET and for HEAD, which answers the same status and headers
    /// without the body: uptime monitors probe with HEAD (docs/http.md).
    func getAndHead(_ path: RouterPath, use handler: @escaping @Sendable (Request, Context) async throws -> Response) {
        get(path, use: handler)
        head(path) { request, context in
            var response = try await handler(request, context)
            response.dropBodyForHead()
            return response
        }
    }
}

extension Response {
    /// The answer to HEAD: the same status and headers (Content-Length included), no body.
    mutating func dropBodyForHead() {
        let length = headers[.contentLength] ?? body.contentLength.map(String.init)
        body = .init()
        headers[.contentLength] = length
    }
}
