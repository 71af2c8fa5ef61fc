using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Diagnostics;

/// <summary>FirstParty's log events. Event ids are stable; new events take new ids.</summary>
internal static partial class LoggingExtensions
{
    [LoggerMessage(1, LogLevel.Debug, "Minted visitor {VisitorId}.", EventName = "NewVisitor")]
    public static partial void NewVisitor(this ILogger logger, string visitorId);

    [LoggerMessage(2, LogLevel.Debug, "Started session {SessionIndex} ({SessionId}) for visitor {VisitorId}.", EventName = "NewSession")]
    public static partial void NewSession(this ILogger logger, int sessionIndex, string sessionId, string visitorId);

    [LoggerMessage(3, LogLevel.Debug, "Ignored the {CookieName} cookie: {Reason}. It is treated as absent.", EventName = "CookieRejected")]
    public static partial void CookieRejected(this ILogger logger, string cookieName, string reason);

    [LoggerMessage(4, LogLevel.Debug, "The request carries {Count} cookies named {CookieName}.", EventName = "DuplicateCookie")]
    public static partial void DuplicateCookie(this ILogger logger, int count, string cookieName);

    [LoggerMessage(5, LogLevel.Trace, "No visitor cookies for a crawler: {UserAgent}.", EventName = "CrawlerSkipped")]
    public static partial void CrawlerSkipped(this ILogger logger, string userAgent);

    [LoggerMessage(6, LogLevel.Trace, "Visitor cookies are disabled on endpoint {EndpointName}.", EventName = "EndpointDisabled")]
    public static partial void EndpointDisabled(this ILogger logger, string? endpointName);

    [LoggerMessage(7, LogLevel.Trace, "Wrote {CookieName} (max-age {MaxAgeSeconds} s).", EventName = "CookieWritten")]
    public static partial void CookieWritten(this ILogger logger, string cookieName, long maxAgeSeconds);

    [LoggerMessage(8, LogLevel.Debug, "Consent {ConsentId} decided by {Source}: granted {Granted}.", EventName = "ConsentDecided")]
    public static partial void ConsentDecided(this ILogger logger, string consentId, string source, string granted);

    [LoggerMessage(9, LogLevel.Warning, "The region resolver failed; the default regime applies.", EventName = "RegionResolverFailed")]
    public static partial void RegionResolverFailed(this ILogger logger, Exception exception);

    [LoggerMessage(10, LogLevel.Debug, "Deleted the visitor cookies: consent does not allow them.", EventName = "VisitorCookiesDeleted")]
    public static partial void VisitorCookiesDeleted(this ILogger logger);

    [LoggerMessage(11, LogLevel.Debug, "Rejected a consent request: {Reason}.", EventName = "ConsentRequestRejected")]
    public static partial void ConsentRequestRejected(this ILogger logger, string reason);

    [LoggerMessage(12, LogLevel.Error, "The receipt of consent {ConsentId} could not be recorded.", EventName = "ReceiptNotRecorded")]
    public static partial void ReceiptNotRecorded(this ILogger logger, string consentId, Exception exception);

    [LoggerMessage(13, LogLevel.Debug, "Suppressed the {CookieName} cookie: its category {Category} is not granted.", EventName = "CookieSuppressed")]
    public static partial void CookieSuppressed(this ILogger logger, string cookieName, string category);

    [LoggerMessage(14, LogLevel.Warning, "The app wrote the cookie {CookieName}, which no consent category declares. Declare it under FirstParty:Consent:Categories:{{n}}:Services so it is gated, deleted on refusal and listed in the cookie table.", EventName = "UndeclaredCookie")]
    public static partial void UndeclaredCookie(this ILogger logger, string cookieName);

    [LoggerMessage(15, LogLevel.Warning, "Writing {Count} ledger operations failed (attempt {Attempt}); they will be retried.", EventName = "LedgerWriteFailed")]
    public static partial void LedgerWriteFailed(this ILogger logger, int count, int attempt, Exception? exception);

    [LoggerMessage(16, LogLevel.Warning, "The consent ledger's store is not taking receipts: keeping them in the spill file {Path} until it does.", EventName = "LedgerSpilling")]
    public static partial void LedgerSpilling(this ILogger logger, string? path);

    [LoggerMessage(17, LogLevel.Information, "Replayed {Count} ledger operations from the spill file into the store.", EventName = "LedgerReplayed")]
    public static partial void LedgerReplayed(this ILogger logger, int count);

    [LoggerMessage(18, LogLevel.Critical, "{Count} consent receipts could not be kept: the store and the spill file both refused them.", EventName = "ReceiptsLost")]
    public static partial void ReceiptsLost(this ILogger logger, int count, Exception exception);

    [LoggerMessage(19, LogLevel.Information, "Adopted {Count} ledger operations from the spill file {Path} left by an earlier run.", EventName = "LedgerAdoptedSpillFile")]
    public static partial void LedgerAdoptedSpillFile(this ILogger logger, string path, int count);

    [LoggerMessage(20, LogLevel.Information, "The retention purge deleted {Count} receipts made before {Cutoff:O}.", EventName = "ReceiptsPurged")]
    public static partial void ReceiptsPurged(this ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(21, LogLevel.Error, "The retention purge of the consent ledger failed; it runs again at the next interval.", EventName = "LedgerPurgeFailed")]
    public static partial void LedgerPurgeFailed(this ILogger logger, Exception exception);

    [LoggerMessage(22, LogLevel.Warning, "Shutting down before the store took {Count} ledger operations: they are in the spill file and replayed at the next start.", EventName = "LedgerShutdownSpilled")]
    public static partial void LedgerShutdownSpilled(this ILogger logger, int count);

    [LoggerMessage(23, LogLevel.Information, "Erased ({Erasure}) {Count} receipts by {Kind} id.", EventName = "ReceiptsErased")]
    public static partial void ReceiptsErased(this ILogger logger, string kind, int count, string erasure);

    [LoggerMessage(24, LogLevel.Error, "Line {Line} of the ledger spill file {Path} is not a ledger operation; it was moved to {Path}.rejected.", EventName = "SpillLineRejected")]
    public static partial void SpillLineRejected(this ILogger logger, string path, int line);

    [LoggerMessage(25, LogLevel.Critical, "The consent ledger writer stopped unexpectedly; receipts are no longer written until the app restarts.", EventName = "LedgerWriterFailed")]
    public static partial void LedgerWriterFailed(this ILogger logger, Exception exception);

    [LoggerMessage(26, LogLevel.Error, "The consent history could not be read from the ledger's store.", EventName = "ReceiptsUnavailable")]
    public static partial void ReceiptsUnavailable(this ILogger logger, Exception exception);

    [LoggerMessage(27, LogLevel.Warning, "<tracking-snippet provider=\"{Provider}\"> names no registered tracking provider; nothing was rendered.", EventName = "TrackingProviderUnknown")]
    public static partial void TrackingProviderUnknown(this ILogger logger, string provider);

    [LoggerMessage(28, LogLevel.Warning, "The {Provider} tracking snippet is not configured (see FirstParty:Providers); nothing was rendered.", EventName = "TrackingProviderNotConfigured")]
    public static partial void TrackingProviderNotConfigured(this ILogger logger, string provider);

    [LoggerMessage(29, LogLevel.Information, "Did not adopt a cross-domain link: {Reason}.", EventName = "LinkRejected")]
    public static partial void LinkRejected(this ILogger logger, string reason);

    [LoggerMessage(30, LogLevel.Debug, "Adopted visitor {VisitorId} from a sister site's link.", EventName = "LinkAdopted")]
    public static partial void LinkAdopted(this ILogger logger, string visitorId);

    [LoggerMessage(51, LogLevel.Warning, "The shared store of used link tokens ({Store}) failed: this link was checked for replay in this instance's memory only.", EventName = "LinkReplayStoreFailed")]
    public static partial void LinkReplayStoreFailed(this ILogger logger, Exception exception, string store);

    [LoggerMessage(52, LogLevel.Warning, "The shared store of used link tokens ({Store}) did not answer within {Timeout}: this link was checked for replay in this instance's memory only.", EventName = "LinkReplayStoreTimedOut")]
    public static partial void LinkReplayStoreTimedOut(this ILogger logger, string store, TimeSpan timeout);

    [LoggerMessage(53, LogLevel.Information, "Used cross-domain link tokens are recorded in {Store}.", EventName = "LinkReplayStore")]
    public static partial void LinkReplayStore(this ILogger logger, string store);

    [LoggerMessage(35, LogLevel.Warning, "The cookie gate does not start this request pipeline (it was built without the host's startup filters): cookies written by middleware placed before UseFirstParty() are not gated. Build the pipeline through the host (WebApplication or ConfigureWebHost).", EventName = "CookieGateNotAtPipelineStart")]
    public static partial void CookieGateNotAtPipelineStart(this ILogger logger);
    [LoggerMessage(44, LogLevel.Information, "The request carries {Count} valid {CookieName} cookies: it is decided by what all of them grant, as consent {ConsentId}.", EventName = "ConsentCookiesCombined")]
    public static partial void ConsentCookiesCombined(this ILogger logger, int count, string cookieName, string consentId);

    [LoggerMessage(45, LogLevel.Warning, "The Data Protection key ring is not persisted ({Reason}). After a restart or redeploy no visitor or consent cookie verifies: every visitor looks new and sees the banner again. Keep the keys where they survive, for example in the ledger's database with services.AddDataProtection().PersistKeysToDbContext<TContext>().", EventName = "KeyRingNotPersisted")]
    public static partial void KeyRingNotPersisted(this ILogger logger, string reason);

    [LoggerMessage(46, LogLevel.Debug, "Data Protection keys: {Reason}.", EventName = "KeyRingPersisted")]
    public static partial void KeyRingPersisted(this ILogger logger, string reason);

    [LoggerMessage(47, LogLevel.Warning, "The {CookieName} cookie was not written: no Data Protection key could be read or created (the key store does not answer). Cookies already in browsers keep verifying with the keys this instance loaded; new ones are written once the key store answers.", EventName = "KeyRingUnavailable")]
    public static partial void KeyRingUnavailable(this ILogger logger, string cookieName, Exception exception);

    [LoggerMessage(54, LogLevel.Critical, "Collector {Vendor}: the forwarder stopped unexpectedly; events go to the spill file until the app restarts.", EventName = "CollectorForwarderFailed")]
    public static partial void CollectorForwarderFailed(this ILogger logger, string vendor, Exception exception);

    [LoggerMessage(60, LogLevel.Information, "Collector {Vendor}: a malformed hit was answered 400 and not forwarded: {Reason}.", EventName = "CollectorHitMalformed")]
    public static partial void CollectorHitMalformed(this ILogger logger, string vendor, string reason);

    [LoggerMessage(61, LogLevel.Information, "Collector {Vendor}: a hit of {Length} bytes or more was answered 413 (the limit is {Limit} bytes) and not forwarded.", EventName = "CollectorHitTooLarge")]
    public static partial void CollectorHitTooLarge(this ILogger logger, string vendor, long length, int limit);

    [LoggerMessage(62, LogLevel.Warning, "Collector {Vendor}: the upstream did not take {Count} events ({Reason}); they are retried.", EventName = "CollectorUpstreamFailed")]
    public static partial void CollectorUpstreamFailed(this ILogger logger, string vendor, int count, string reason, Exception? exception);

    [LoggerMessage(63, LogLevel.Error, "Collector {Vendor}: the upstream rejected {Count} events with {StatusCode}; they are dropped (not retried).", EventName = "CollectorUpstreamRejected")]
    public static partial void CollectorUpstreamRejected(this ILogger logger, string vendor, int count, int statusCode);

    [LoggerMessage(64, LogLevel.Warning, "Collector {Vendor}: the upstream is not taking events: keeping them in the spill file {Path} until it does.", EventName = "CollectorSpilling")]
    public static partial void CollectorSpilling(this ILogger logger, string vendor, string? path);

    [LoggerMessage(65, LogLevel.Information, "Collector {Vendor}: replayed {Count} events from the spill file to the upstream.", EventName = "CollectorReplayed")]
    public static partial void CollectorReplayed(this ILogger logger, string vendor, int count);

    [LoggerMessage(66, LogLevel.Critical, "Collector {Vendor}: {Count} events could be neither forwarded nor kept on disk; they are lost.", EventName = "CollectorEventsLost")]
    public static partial void CollectorEventsLost(this ILogger logger, string vendor, int count, Exception? exception);

    [LoggerMessage(67, LogLevel.Information, "Collector {Vendor}: adopted {Count} events from the spill file {Path} left by an earlier run.", EventName = "CollectorAdoptedSpillFile")]
    public static partial void CollectorAdoptedSpillFile(this ILogger logger, string vendor, string path, int count);

    [LoggerMessage(68, LogLevel.Warning, "Collector {Vendor}: shutting down before the upstream took {Count} events: they are in the spill file and sent at the next start.", EventName = "CollectorShutdownSpilled")]
    public static partial void CollectorShutdownSpilled(this ILogger logger, string vendor, int count);

    [LoggerMessage(69, LogLevel.Error, "Collector {Vendor}: line {Line} of the spill file {Path} is not a queued event; it was moved to {Path}.rejected.", EventName = "CollectorSpillLineRejected")]
    public static partial void CollectorSpillLineRejected(this ILogger logger, string vendor, string path, int line);

    [LoggerMessage(70, LogLevel.Warning, "{Option} is not set: the staff action log hashes subject ids with a random key for this run only, so its hashes match nothing after a restart or on another instance.", EventName = "StaffActionKeyMissing")]
    public static partial void StaffActionKeyMissing(this ILogger logger, string option);

    [LoggerMessage(71, LogLevel.Information, "Staff {Staff} did {Action} on {Count} receipts of a {SubjectKind} subject (hash {SubjectHash}).", EventName = "StaffActionRecorded")]
    public static partial void StaffActionRecorded(this ILogger logger, string staff, string action, int count, string subjectKind, string subjectHash);

    [LoggerMessage(72, LogLevel.Error, "The staff action log could not keep a {Action}; the action was not carried out.", EventName = "StaffActionNotRecorded")]
    public static partial void StaffActionNotRecorded(this ILogger logger, string action, Exception exception);
}
