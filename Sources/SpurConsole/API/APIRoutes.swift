/// Every route of the read API, in one list: the controller registers exactly these and a test
/// checks them against the OpenAPI document (`OpenAPIDocument`), so the two cannot drift.
enum APIRoutes {
    static let prefix = "/api/v1"

    /// Paths as the OpenAPI document writes them (`{id}`), relative to `prefix`; all are GET.
    static let paths = [
        "/leads", "/leads/{id}", "/leads/{id}/events", "/leads/{id}/score-history", "/leads/{id}/consent", "/campaigns", "/campaigns/{id}",
        "/pages", "/audiences", "/audiences/{id}/members", "/health",
        "/openapi.json",
    ]

    /// Whether `path` (under `prefix`) is one of the API's routes, with any method.
    static func isRoute(_ path: String) -> Bool {
        guard path.hasPrefix(prefix + "/") else { return false }
        let parts = path.dropFirst(prefix.count + 1).split(separator: "/", omittingEmptySubsequences: false)
        return paths.contains { route in
            let pattern = route.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
            return pattern.count == parts.count && zip(pattern, parts).allSatisfy { $0 == "{id}" ? !$1.isEmpty : $0 == $1 }
        }
    }
}
