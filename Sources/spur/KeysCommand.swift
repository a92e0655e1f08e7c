import ArgumentParser
import Foundation
import SpurCore

/// `spur keys add|list|revoke`: API keys for the console's read API and the collector's identify call.
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API keys: 'read' for the console's /api/v1, 'identify' for the collector's POST /api/identify.",
        discussion: "Only a key's SHA-256 is stored (DATA/api-keys); the key itself is printed once, by 'add'.",
        subcommands: [Add.self, List.self, Revoke.self])

    struct FileOptions: ParsableArguments {
        @Option(name: .long, help: "Data directory. [env: SPUR_DATA] (default: \(Defaults.dataDirectory))") var data: String?

        var store: APIKeyStore {
            APIKeyStore(path: APIKeyStore.defaultPath(dataDirectory: data ?? Environment.value("SPUR_DATA") ?? Defaults.dataDirectory))
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a key and print it (once); only its hash is kept.")
        @OptionGroup var file: FileOptions
        @Option(help: "read (the console's /api/v1) or identify (the collector's /api/identify).") var scope: APIScope
        @Argument(help: "A name for the key, e.g. the system that uses it (crm, shop-backend).") var name: String

        func run() throws {
            let store = file.store
            try FileManager.default.createDirectory(atPath: (store.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let key = try store.add(name, scope: scope)
            // The key alone on stdout, so that `KEY=$(spur keys add …)` works; the rest on stderr.
            print(key)
            FileHandle.standardError.write(
                Data("added key '\(name)' (scope \(scope.rawValue)) to \(store.path); it is not shown again\n".utf8))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys: name, scope, created (never the keys).")
        @OptionGroup var file: FileOptions

        func run() throws {
            for key in try file.store.keys() { print("\(key.name)\t\(key.scope.rawValue)\t\(key.created)") }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; running servers refuse it from the next request.")
        @OptionGroup var file: FileOptions
        @Argument(help: "The key's name.") var name: String

        func run() throws {
            try file.store.revoke(name)
            print("revoked \(name)")
        }
    }
}

extension APIScope: ExpressibleByArgument {}
