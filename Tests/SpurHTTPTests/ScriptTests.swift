import Testing

/// The tests that run a script in scripts/ (real browser, webhooks against a flaky receiver, the
/// API contract, the quick reliability run) each start servers and subprocesses that use both
/// cores for a minute: one at a time, so that they do not starve each other and the timing-
/// sensitive tests of the rest of the suite.
@Suite(.serialized) struct ScriptTests {}
