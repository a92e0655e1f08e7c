import Foundation
import SpurWebhooks
import Testing

/// Webhooks end to end (scripts/webhooks_e2e.py): a real HTTP receiver that fails half of the
/// attempts, `spur deliver` killed with SIGKILL again and again; every change arrives, signed.
extension ScriptTests {
    @Suite struct WebhookDeliveryTests {
        @Test(.timeLimit(.minutes(5))) func everyChangeArrivesSignedThroughFailuresAndKills() {
            let status = Browser.run(
                ["python3", Browser.root.appendingPathComponent("scripts/webhooks_e2e.py").path, "--spur", Browser.spur], output: Pipe())
            #expect(status == 0, "scripts/webhooks_e2e.py failed; its output is above")
        }
    }
}

@Suite struct WebhookSignatureTests {
    /// The example of docs/webhooks.md, as any HMAC-SHA256 implementation computes it.
    @Test func theSignatureIsHMACOfTimeDotBody() {
        let body = Array(#"{"event":"ping"}"#.utf8)
        let header = WebhookSignature.header(body: body, secret: "whsec-0123456789abcdef", time: 1_796_000_000)
        #expect(header == "t=1796000000,v1=262277af4ea4c5204e5d0d6405e5a20831c3c356cdd6e98fa41297a433ee3085")
        #expect(WebhookSignature.verify(header: header, body: body, secret: "whsec-0123456789abcdef", now: 1_796_000_100))
        #expect(!WebhookSignature.verify(header: header, body: body + [0x20], secret: "whsec-0123456789abcdef", now: 1_796_000_100))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: "whsec-other-secret-00", now: 1_796_000_100))
        // Replayed later than the tolerance.
        #expect(!WebhookSignature.verify(header: header, body: body, secret: "whsec-0123456789abcdef", now: 1_796_000_301))
    }
}
