import HTTPTypes
import SpurHTTP1

/// What the tracking routes and `RequestFacts` read from a request head. The router hands them
/// swift-http-types' `HTTPRequest`; the raw fast path (`TrackingScannerHandler`) a
/// `ScannedRequest`, without building HTTP types at all. One logic, two sources.
protocol TrackingHead {
    var isHEAD: Bool { get }
    /// Path and query as sent.
    var requestTarget: String? { get }
    /// The value of a single-valued field the routes read.
    func field(_ field: ScannedRequest.Field) -> String?
    var cookieFields: [String] { get }
    var forwardedForFields: [String] { get }
}

extension HTTPRequest: TrackingHead {
    var isHEAD: Bool { method == .head }
    var requestTarget: String? { path }
    func field(_ field: ScannedRequest.Field) -> String? { headerFields[field.name] }
    var cookieFields: [String] { headerFields[values: .cookie] }
    var forwardedForFields: [String] { headerFields[values: .xForwardedFor] }
}

extension ScannedRequest: TrackingHead {
    var isHEAD: Bool { method == .head }
    var requestTarget: String? { target }
    func field(_ field: Field) -> String? { self[field] }
    var cookieFields: [String] { cookies }
    var forwardedForFields: [String] { forwardedFor }
}

extension ScannedRequest.Field {
    var name: HTTPField.Name {
        switch self {
        case .userAgent: .userAgent
        case .referer: .referer
        case .acceptLanguage: .acceptLanguage
        case .dnt: .dnt
        case .secGPC: .secGPC
        case .secPurpose: .secPurpose
        case .purpose: .purpose
        case .xPurpose: .xPurpose
        case .xMoz: .xMoz
        }
    }
}
