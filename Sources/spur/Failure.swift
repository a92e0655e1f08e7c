import ArgumentParser
import Foundation
import SpurAggregate
import SpurConsole
import SpurCore
import SpurHTTP

/// Exit statuses of `spur` (docs/cli.md). 1–3 are outcomes a command reports (nothing found,
/// damage, refusal, failed hand-off); the others follow sysexits(3).
enum ExitStatus {
    static let notFound: Int32 = 1
    static let usage: Int32 = 64
    static let dataError: Int32 = 65
    static let noInput: Int32 = 66
    static let unavailable: Int32 = 69
    static let cannotCreate: Int32 = 73
    static let ioError: Int32 = 74
    static let config: Int32 = 78
}

/// A runtime failure of a command (or a lookup that found nothing: `ExitStatus.notFound`), with
/// its one-line message and exit status. Usage mistakes
/// stay `ValidationError`s (message plus usage, exit 64).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    let status: Int32

    init(_ description: String, status: Int32) {
        self.description = description
        self.status = status
    }

    /// Maps the modules' errors to a line and a status; nil for ArgumentParser's own errors
    /// (usage, help, exit codes) and anything else, which ArgumentParser reports.
    init?(_ error: any Error) {
        switch error {
        case let e as CommandFailure:
            self = e
        case let e as AggregateError:
            switch e {
            case .invalidRules, .invalidWebhooks, .invalidAudiences: self.init(e.description, status: ExitStatus.config)
            case .noSegmentDirectory, .noDatabase: self.init(e.description, status: ExitStatus.noInput)
            case .database, .fileSystem: self.init(e.description, status: ExitStatus.ioError)
            case .handoffFailed: self.init(e.description, status: 3)
            case .invalidCursor, .invalidQuery: self.init(e.description, status: ExitStatus.usage)
            case .noDelivery: self.init(e.description, status: ExitStatus.notFound)
            }
        case let e as SpurError:
            switch e {
            case .io: self.init(e.description, status: ExitStatus.ioError)
            case .secret: self.init(e.description, status: ExitStatus.config)
            case .token, .invalidInput, .invalidRecipients, .invalidNewsletter: self.init(e.description, status: ExitStatus.dataError)
            case .eventLog: self.init(e.description, status: ExitStatus.ioError)
            case .nodeInUse: self.init(e.description, status: ExitStatus.unavailable)
            }
        case let e as ConsoleError:
            switch e {
            case .invalidUserName, .weakPassword: self.init(e.description, status: ExitStatus.usage)
            case .userExists: self.init(e.description, status: ExitStatus.cannotCreate)
            case .unknownUser: self.init(e.description, status: ExitStatus.notFound)
            case .invalidUsersFile: self.init(e.description, status: ExitStatus.config)
            case .fileSystem: self.init(e.description, status: ExitStatus.ioError)
            case .cannotListen: self.init(e.description, status: ExitStatus.unavailable)
            }
        case let e as CollectorError:
            // A start-up failure ends the process at once (systemd restarts it), naming the cause.
            self.init(e.description, status: ExitStatus.unavailable)
        case let e as CocoaError:
            // Foundation's file errors: name the file and the reason, not the error domain.
            let path = (e.userInfo[NSFilePathErrorKey] as? String) ?? e.userInfo["NSFilePath"] as? String ?? "?"
            let reason =
                (e.underlying as? POSIXError).map { String(cString: strerror($0.code.rawValue)) }
                ?? (e.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription ?? "\(e.code)"
            self.init("cannot create or open \(path): \(reason)", status: e.isFileError ? ExitStatus.cannotCreate : ExitStatus.ioError)
        default:
            return nil
        }
    }
}

extension CocoaError {
    fileprivate var underlying: (any Error)? { userInfo[NSUnderlyingErrorKey] as? any Error }
    fileprivate var isFileError: Bool { code.rawValue >= 512 && code.rawValue < 768 }
}

extension ParsableCommand {
    /// Prints the failure on one line (`spur: …`) and exits with its status; usage mistakes and
    /// ArgumentParser's own exits are left to ArgumentParser.
    static func exit(reporting error: any Error) -> Never {
        guard let failure = CommandFailure(error) else { Self.exit(withError: error) }
        FileHandle.standardError.write(Data("spur: \(failure.description)\n".utf8))
        Foundation.exit(failure.status)
    }
}
