import Foundation

/// The users file as the running console sees it: reread when its modification time or size
/// changes, so `spur console user` takes effect without a restart.
actor UserDirectory {
    let store: UserStore
    private var cached: [ConsoleUser] = []
    private var stamp: (Date, Int)?

    init(store: UserStore) { self.store = store }

    func users() throws(ConsoleError) -> [ConsoleUser] {
        let attributes = try? FileManager.default.attributesOfItem(atPath: store.path)
        let current: (Date, Int)? = attributes.map { (($0[.modificationDate] as? Date) ?? .distantPast, ($0[.size] as? Int) ?? -1) }
        if current == nil {
            cached = []
        } else if stamp == nil || stamp! != current! {
            cached = try store.users()
        }
        stamp = current
        return cached
    }

    func user(named name: String) throws(ConsoleError) -> ConsoleUser? { try users().first { $0.name == name } }
}
