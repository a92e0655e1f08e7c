import Foundation

/// One event as the site script sends it (`POST /e`), parsed and validated.
package struct BeaconEvent: Equatable, Sendable {
    package var type: EventType
    package var url: String
    package var referrer: String?
    package var title: String?
    /// A custom event's name, kept apart from its props.
    package var name: String?
    package var props: [String: String]

    static let browserTypes: Set<EventType> = [.pageview, .download, .custom, .form]

    /// The events of a `POST /e` body; throws `.invalidInput` with a message for the client.
    package static func parse(_ body: [UInt8], maxEvents: Int) throws(SpurError) -> [BeaconEvent] {
        if body.isEmpty { throw .invalidInput("The body is empty; expected a JSON object or array.") }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "invalid JSON"
            throw .invalidInput("Malformed JSON: \(detail)")
        }
        let objects: [Any]
        if let array = json as? [Any] {
            if array.isEmpty { throw .invalidInput("The array holds no events.") }
            if array.count > maxEvents { throw .invalidInput("Too many events: \(array.count), at most \(maxEvents) per request.") }
            objects = array
        } else if json is [String: Any] {
            objects = [json]
        } else {
            throw .invalidInput("Expected a JSON object or an array of objects.")
        }
        var events: [BeaconEvent] = []
        for (i, item) in objects.enumerated() {
            let at = objects.count > 1 ? "event \(i): " : ""
            guard let object = item as? [String: Any] else { throw .invalidInput("\(at)expected a JSON object.") }
            do {
                events.append(try parse(object))
            } catch {
                throw .invalidInput(at + error.description)
            }
        }
        return events
    }

    private static func parse(_ o: [String: Any]) throws(SpurError) -> BeaconEvent {
        if o["lead"] != nil {
            throw .invalidInput("field 'lead' cannot be set by a browser; leads come from signed links or /api/identify.")
        }
        func string(_ key: String) throws(SpurError) -> String? {
            guard let v = o[key], !(v is NSNull) else { return nil }
            guard let s = v as? String else { throw .invalidInput("field '\(key)' must be a string.") }
            return s
        }
        guard let type = EventType(rawValue: try string("type") ?? "pageview"), browserTypes.contains(type) else {
            throw .invalidInput("field 'type' must be one of pageview, download, custom, form.")
        }
        var values: [String: String] = [:]
        for key in ["url", "referrer", "ref", "title", "name"] { values[key] = try string(key) }
        guard let url = values["url"], !url.isEmpty else { throw .invalidInput("field 'url' is required.") }
        var props: [String: String] = [:]
        if let raw = o["props"], !(raw is NSNull) {
            guard let map = raw as? [String: Any] else { throw .invalidInput("field 'props' must be an object of strings.") }
            for (key, value) in map {
                switch value {
                case let s as String: props[key] = s
                case let n as NSNumber: props[key] = n.stringValue
                default: throw .invalidInput("props.\(key) must be a string, number or boolean.")
                }
            }
        }
        if type == .custom {
            guard let name = values["name"], !name.isEmpty else { throw .invalidInput("a custom event needs a 'name'.") }
        }
        return BeaconEvent(
            type: type, url: url, referrer: values["referrer"] ?? values["ref"], title: values["title"],
            name: type == .custom ? values["name"] : nil, props: props)
    }
}
