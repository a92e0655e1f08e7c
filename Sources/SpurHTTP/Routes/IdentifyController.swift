import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SpurCore

/// `POST /api/identify`: the site's backend links a visitor to a lead, optionally with explicit
/// attributes (progressive profiling). Bearer API key, checked in constant time; 204 once durable.
struct IdentifyController: Sendable {
    let ingest: Ingestor
    let keys: APIKeyring

    func register(on router: Router<CollectorContext>) {
        router.post("/api/identify") { request, context in try await self.identify(request, context) }
    }

    func identify(_ request: Request, _ context: CollectorContext) async throws -> Response {
        guard keys.hasKeys(for: .identify) else { return Responses.text(.notFound, "Not found.") }
        let presented = request.headers[.authorization].flatMap { $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil }
        let accepted: Bool
        do { accepted = try presented.flatMap { try keys.authorize($0, scope: .identify) } != nil } catch {
            context.logger.error("The API key store cannot be read", metadata: ["error": "\(error)"])
            return Responses.text(.serviceUnavailable, "The API keys cannot be read right now; retry later.")
        }
        guard accepted else {
            if let presented, keys.isKnown(presented) {
                return Responses.text(.forbidden, "This API key has another scope; /api/identify needs a key with scope 'identify'.")
            }
            var response = Responses.text(.unauthorized, "A valid API key is required (Authorization: Bearer KEY).")
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        let body: ByteBuffer
        switch await RequestBodyReader.collect(request, limit: ingest.configuration.maxBodyBytes) {
        case .success(let b): body = b
        case .failure(let problem): return problem.response
        }
        let object: [String: Any]
        do {
            guard let o = try JSONSerialization.jsonObject(with: Data(Array(buffer: body))) as? [String: Any] else {
                return Responses.text(.badRequest, "Expected a JSON object {\"lead\": …, \"visitor\": …, \"attributes\": {…}}.")
            }
            object = o
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "invalid JSON"
            return Responses.text(.badRequest, "Malformed JSON: \(detail)")
        }
        for key in object.keys where !["lead", "visitor", "attributes"].contains(key) {
            return Responses.text(.badRequest, "Unknown field '\(key)' (expected lead, visitor, attributes).")
        }
        guard let lead = object["lead"] as? String else { return Responses.text(.badRequest, "Field 'lead' (a string) is required.") }
        do { try Identifier.validate(lead, what: "lead") } catch { return Responses.text(.badRequest, error.description + ".") }
        var visitor: String?
        if let v = object["visitor"], !(v is NSNull) {
            guard let s = v as? String, VisitorID.isValid(s) else {
                return Responses.text(.badRequest, "Field 'visitor' must be the 32-hex-digit id from the spur_vid cookie.")
            }
            visitor = s
        }
        var attributes: [String: String] = [:]
        if let raw = object["attributes"], !(raw is NSNull) {
            guard let map = raw as? [String: Any] else { return Responses.text(.badRequest, "Field 'attributes' must be an object.") }
            for (key, value) in map {
                // `tracking` (the lead's consent to tracking, docs/consent.md) is always accepted.
                guard key == "tracking" || ingest.configuration.identifyAttributes.contains(key) else {
                    let allowed = ingest.configuration.identifyAttributes.union(["tracking"]).sorted().joined(separator: ", ")
                    return Responses.text(.badRequest, "Attribute '\(key)' is not accepted (allowed: \(allowed)).")
                }
                do {
                    attributes[key] = try AttributeFormat.of(key).normalize(value, attribute: key)
                } catch {
                    return Responses.text(.badRequest, error.description)
                }
            }
        }
        // A server-to-server call: the caller's IP and user agent are the backend's, not the person's.
        var event = Event(id: ingest.ids.next(), ts: ingest.configuration.clock(), type: .identify, node: ingest.configuration.node)
        event.lead = lead
        event.visitor = visitor
        event.props = attributes
        do {
            try await ingest.recordDurably([event])
        } catch {
            return Responses.retryLater(.serviceUnavailable, "The identification cannot be stored right now; retry later.", after: 5)
        }
        return Response(status: .noContent)
    }
}
