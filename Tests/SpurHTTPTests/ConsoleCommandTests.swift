import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `spur console` and `spur console user` from the command line: passwords from stdin only,
/// one-line errors with the documented exit statuses (docs/cli.md).
@Suite struct ConsoleCommandTests {
    typealias Outcome = CommandLineTests.Outcome

    static func spur(_ args: [String], input: String) throws -> Outcome {
        try CommandLineTests.command(Browser.spur, args, environment: CommandLineTests.cleanEnvironment, input: input)
    }

    @Test func usersAreAddedListedChangedAndRemoved() throws {
        let dir = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let add = try Self.spur(["console", "user", "add", "anna", "--role", "admin", "--data", dir], input: "long-enough-password\n")
        #expect(add.status == 0, "\(add.stderr)")
        let file = dir + "/console-users"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("anna admin $2b$12$") && !text.contains("long-enough-password"))
        let mode = (try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) ?? 0
        #expect(mode == 0o600)
        #expect(try Self.spur(["console", "user", "add", "vera", "--data", dir], input: "another-password\n").status == 0)
        let list = try CommandLineTests.spur(["console", "user", "list", "--data", dir])
        #expect(list.status == 0 && list.stdout == "anna\tadmin\nvera\tviewer\n")

        let short = try Self.spur(["console", "user", "add", "bob", "--data", dir], input: "short\n")
        #expect(short.status == 64 && short.stderr.contains("at least 10 characters"))
        let twice = try Self.spur(["console", "user", "add", "anna", "--data", dir], input: "long-enough-password\n")
        #expect(twice.status == 73 && twice.stderr.contains("exists already"))
        let bad = try Self.spur(["console", "user", "add", "a b<script>", "--data", dir], input: "long-enough-password\n")
        #expect(bad.status == 64 && bad.stderr.contains("not a valid user name"))
        let none = try Self.spur(["console", "user", "add", "carl", "--data", dir], input: "")
        #expect(none.status == 64 && none.stderr.contains("no password on stdin"))

        let before = try String(contentsOfFile: file, encoding: .utf8)
        let passwd = try Self.spur(["console", "user", "passwd", "vera", "--role", "admin", "--data", dir], input: "a-new-password-1\n")
        #expect(passwd.status == 0)
        let after = try String(contentsOfFile: file, encoding: .utf8)
        #expect(after != before && after.contains("vera admin $2b$"))

        #expect(try CommandLineTests.spur(["console", "user", "remove", "vera", "--data", dir]).status == 0)
        let gone = try CommandLineTests.spur(["console", "user", "remove", "vera", "--data", dir])
        #expect(gone.status == 1 && gone.stderr.contains("no console user named vera"))
        #expect(try CommandLineTests.spur(["console", "user", "list", "--data", dir]).stdout == "anna\tadmin\n")
    }

    @Test func aPasswordIsNeverAnArgument() throws {
        let o = try CommandLineTests.spur(["console", "user", "add", "anna", "--password", "secret-secret"])
        #expect(o.status == 64 && o.stderr.contains("--password"))
    }

    @Test func consoleOnAnAddressInUseExitsAtOnceNamingIt() throws {
        let dir = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (fd, port) = try CommandLineTests.occupiedPort()
        defer { close(fd) }
        let console = try CommandLineTests.Background(["console", "--data", dir, "--port", String(port), "--log-level", "error"])
        #expect(console.exit(within: 3) == 69, "spur console did not exit within 3 s on a port in use")
        #expect(console.errors.contains("spur: cannot listen on 127.0.0.1:\(port): Address already in use"))
    }
}
