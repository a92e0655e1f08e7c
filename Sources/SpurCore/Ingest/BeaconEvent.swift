import Foundation

/// One event as the site script sends it (`POST /e`), parsed and validated.
package struct BeaconEvent: Equatable, Sendable {
    package var type: EventType
    package var url: String
    package var referrer: String?
    package var title: String?
    package var props: [String: String]

    package struct Problem: Error {
        package let message: String
    }

    static let browserTypes: Set<EventType> = [.pageview, .download, .custom, .form]

    package static func parse(_ body: [UInt8], maxEvents: Int) -> Result<[BeaconEvent], Problem> {
        if body.isEmpty { return .failure(Problem(message: "The body is empty; expected a JSON object or array.")) }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "invalid JSON"
            return .failure(Problem(message: "Malformed JSON: \(detail)"))
        }
        let objects: [Any]
        if let array = json as? [Any] {
            if array.isEmpty { return .failure(Problem(message: "The array holds no events.")) }
            if array.count > maxEvents {
                return .failure(Problem(message: "Too many events: \(array.count), at most \(maxEvents) per request."))
            }
            objects = array
        } else if json is [String: Any] {
            objects = [json]
        } else {
            return .failure(Problem(message: "Expected a JSON object or an array of objects."))
        }
        var events: [BeaconEvent] = []
        for (i, item) in objects.enumerated() {
            let at = objects.count > 1 ? "event \(i): " : ""
            guard let object = item as? [String: Any] else {
                return .failure(Problem(message: "\(at)expected a JSON object."))
            }
            switch parse(object) {
            case .success(let e): events.append(e)
            case .failure(let p): return .failure(Problem(message: at + p.message))
            }
        }
        return .success(events)
    }

    private static func parse(_ o: [String: Any]) -> Result<BeaconEvent, Problem> {
        if o["lead"] != nil {
            return .failure(Problem(message: "field 'lead' cannot be set by a browser; leads come from signed links or /api/identify."))
        }
        func string(_ key: String) -> Result<String?, Problem> {
            guard let v = o[key] else { return .success(nil) }
            if v is NSNull { return .success(nil) }
            guard let s = v as? String else { return .failure(Problem(message: "field '\(key)' must be a string.")) }
            return .success(s)
        }
        let typeName: String?
        switch string("type") {
        case .success(let v): typeName = v
        case .failure(let p): return .failure(p)
        }
        guard let type = EventType(rawValue: typeName ?? "pageview"), browserTypes.contains(type) else {
            return .failure(Problem(message: "field 'type' must be one of pageview, download, custom, form."))
        }
        var values: [String: String] = [:]
        for key in ["url", "referrer", "ref", "title", "name"] {
            switch string(key) {
            case .success(let v): values[key] = v
            case .failure(let p): return .failure(p)
            }
        }
        guard let url = values["url"], !url.isEmpty else { return .failure(Problem(message: "field 'url' is required.")) }
        var props: [String: String] = [:]
        if let raw = o["props"], !(raw is NSNull) {
            guard let map = raw as? [String: Any] else {
                return .failure(Problem(message: "field 'props' must be an object of strings."))
            }
            for (key, value) in map {
                switch value {
                case let s as String: props[key] = s
                case let n as NSNumber: props[key] = n.stringValue
                default: return .failure(Problem(message: "props.\(key) must be a string, number or boolean."))
                }
            }
        }
        if type == .custom {
            guard let name = values["name"], !name.isEmpty else {
                return .failure(Problem(message: "a custom event needs a 'name'."))
            }
            props["name"] = name
        }
        return .success(
            BeaconEvent(type: type, url: url, referrer: values["referrer"] ?? values["ref"], title: values["title"], props: props))
    }
}
