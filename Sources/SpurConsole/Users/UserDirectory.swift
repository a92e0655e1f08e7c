import Foundation

/// The users file as the running console sees it: reread when its modification time or size
/// changes, so `spur console user` takes effect without a restart.
actor UserDirectory {
    let store: UserStore
    private var cached: [ConsoleUser] = []
    private var stamp: (Int, Int)?

    init(store: UserStore) { self.store = store }

    func users() throws(ConsoleError) -> [ConsoleUser] {
        var info = stat()
        let current: (Int, Int)? = stat(store.path, &info) == 0 ? (Int(info.st_mtim.tv_sec) * 1_000_000_000 + info.st_mtim.tv_nsec, Int(info.st_size)) : nil
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
