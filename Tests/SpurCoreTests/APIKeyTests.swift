import Foundation
import Testing

@testable import SpurCore

@Suite struct APIKeyTests {
    @Test func keysAreShownOnceStoredAsHashesAndRevocable() throws {
        let dir = NSTemporaryDirectory() + "spur-keys-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = APIKeyStore(path: APIKeyStore.defaultPath(dataDirectory: dir))
        let ring = APIKeyring(store: store, fixed: ["env-key-0123456789abcdef"])
        #expect(!ring.hasKeys(for: .read) && ring.hasKeys(for: .identify))

        let read = try store.add("crm", scope: .read)
        let identify = try store.add("shop", scope: .identify)
        #expect(read.hasPrefix("spur_") && read.count == 48 && read != identify)
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(!text.contains(read) && !text.contains(identify) && text.contains(APIKeyStore.hash(read)))
        let mode = try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try store.keys().map(\.name) == ["crm", "shop"])
        #expect(throws: SpurError.self) { try store.add("crm", scope: .read) }
        #expect(throws: SpurError.self) { try store.add("bad name", scope: .read) }

        #expect(try ring.authorize(read, scope: .read) == "crm")
        #expect(try ring.authorize(read, scope: .identify) == nil && ring.isKnown(read))
        #expect(try ring.authorize(identify, scope: .identify) == "shop")
        #expect(try ring.authorize("env-key-0123456789abcdef", scope: .identify) == "environment")
        #expect(try ring.authorize(read + "x", scope: .read) == nil && !ring.isKnown(read + "x"))

        // A running server sees the revocation at the next request (the file changed).
        try store.revoke("crm")
        #expect(try ring.authorize(read, scope: .read) == nil && !ring.isKnown(read))
        #expect(throws: SpurError.self) { try store.revoke("crm") }
    }

    @Test func aDamagedKeyFileIsAnErrorThatNamesTheLine() throws {
        let path = NSTemporaryDirectory() + "spur-keys-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "# comment\ncrm read abc 2026-01-01\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: SpurError.invalidInput("\(path), line 2: expected NAME SCOPE SHA256 CREATED (the file is written by 'spur keys')")) {
            try APIKeyStore(path: path).keys()
        }
    }
}
