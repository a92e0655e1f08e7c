/// Every route of the read API, in one list: the controller registers exactly these and a test
/// checks them against the OpenAPI document (`OpenAPIDocument`), so the two cannot drift.
enum APIRoutes {
    static let prefix = "/api/v1"

    /// Paths as the OpenAPI document writes them (`{id}`), relative to `prefix`; all are GET.
    static let paths = [
        "/leads", "/leads/{id}", "/leads/{id}/events", "/leads/{id}/score-history", "/campaigns", "/campaigns/{id}", "/health",
        "/openapi.json",
    ]
}
