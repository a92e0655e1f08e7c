import Foundation

/// The segment files in a directory, in name (= time) order.
public enum SegmentDirectory {
    public struct Entry: Sendable {
        public enum State: String, Sendable { case sealed, open, damaged }
        public let name: SegmentName
        public let path: String
        public let state: State
        public let size: Int
    }

    public static func list(_ directory: String) throws -> [Entry] {
        var entries: [Entry] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let state: Entry.State
            let base: String
            if file.hasSuffix(".damaged") {
                state = .damaged
                base = String(file.dropLast(".damaged".count))
            } else if file.hasSuffix(SegmentName.openSuffix) {
                state = .open
                base = file
            } else {
                state = .sealed
                base = file
            }
            guard let name = SegmentName(fileName: base) else { continue }
            let path = directory + "/" + file
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            entries.append(Entry(name: name, path: path, state: state, size: size))
        }
        return entries.sorted { ($0.name, $0.state.rawValue) < ($1.name, $1.state.rawValue) }
    }
}
