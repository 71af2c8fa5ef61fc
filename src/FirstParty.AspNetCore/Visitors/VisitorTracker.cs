using FirstParty.AspNetCore.Internal;
using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Visitors;

/// <summary>
/// Reads the visitor and session cookies, decides what this request's visitor and session are, and
/// writes the cookies that changed or are due for a refresh.
/// </summary>
internal sealed class VisitorTracker
{
    private readonly VisitorOptions _visitorOptions;
    private readonly VisitorSessionOptions _sessionOptions;
    private readonly ProtectedCookieCodec<VisitorRecord> _visitorCodec;
    private readonly ProtectedCookieCodec<SessionRecord> _sessionCodec;
    private readonly ResponseCookieWriter _writer;
    private readonly RequestCookieReader _reader;
    private readonly TimeProvider _time;
    private readonly FirstPartyMetrics _metrics;
    private readonly ILogger _logger;
    private readonly long _lifetimeSeconds;
    private readonly long _visitorRefreshSeconds;
    private readonly long _timeoutSeconds;
    private readonly long _sessionRefreshSeconds;

    // While the key store is down every page would say so: once a minute is enough to be seen.
    private static readonly TimeSpan KeyWarningInterval = TimeSpan.FromMinutes(1);
    private long _keyWarningAt;

    public VisitorTracker(
        IOptions<FirstPartyOptions> options,
        IDataProtectionProvider dataProtection,
        CookieKeyRing keyRing,
        ResponseCookieWriter writer,
        RequestCookieReader reader,
        TimeProvider time,
        FirstPartyMetrics metrics,
        ILogger<VisitorTracker> logger)
    {
        _visitorOptions = options.Value.Visitor;
        _sessionOptions = options.Value.Session;
        var protector = dataProtection.CreateProtector(CookieProtector.RootPurpose);
        var compact = options.Value.Cookies.Format >= 3;
        _visitorCodec = new ProtectedCookieCodec<VisitorRecord>(new CookieProtector(protector, keyRing, "Visitor"), writeCompact: compact);
        _sessionCodec = new ProtectedCookieCodec<SessionRecord>(new CookieProtector(protector, keyRing, "Session"), writeCompact: compact);
        _writer = writer;
        _reader = reader;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _lifetimeSeconds = (long)_visitorOptions.Lifetime.TotalSeconds;
        _visitorRefreshSeconds = (long)_visitorOptions.RefreshInterval.TotalSeconds;
        _timeoutSeconds = (long)_sessionOptions.Timeout.TotalSeconds;
        _sessionRefreshSeconds = (long)_sessionOptions.RefreshInterval.TotalSeconds;
    }

    internal ProtectedCookieCodec<VisitorRecord> VisitorCodec => _visitorCodec;

    /// <summary>
    /// Resolves the visitor and exposes it as <see cref="IVisitorFeature"/>; the cookies it owes the
    /// browser are written by <see cref="WriteResponse"/> when the response starts.
    /// </summary>
    public VisitorFeature? Attach(HttpContext context, bool canWrite, string? adoptVisitorId = null)
    {
        var feature = Resolve(context, canWrite, adoptVisitorId);
        if (feature is not null)
        {
            context.Features.Set<IVisitorFeature>(feature);
        }

        return feature;
    }

    /// <summary>
    /// The visitor step of the response: the request's visitor writes the cookies it owes; without
    /// one, cookies the browser sent are deleted when the request's final consent state refuses them
    /// (once per response: a decision or a forget may have deleted them already).
    /// </summary>
    public void WriteResponse(HttpContext context, IConsentFeature consent)
    {
        if (context.Features.Get<IVisitorFeature>() is VisitorFeature feature)
        {
            if (feature.HasPendingWrites)
            {
                WriteCookies(feature);
            }
        }
        else if (!Allows(consent) && context.Features.Get<VisitorCookiesDeleted>() is null && HasCookies(context))
        {
            // Set before consent was needed, refused elsewhere, or planted.
            DeleteCookies(context);
        }
    }

    private bool Allows(IConsentFeature consent)
        => consent is Consent.ConsentFeature feature ? feature.AllowsVisitorCookies(_visitorOptions.Category) : consent.IsGranted(_visitorOptions.Category);

    /// <summary>
    /// Brings the visitor cookies in line with a consent decision made during the request: granted,
    /// they are minted on this response; refused, they are deleted and the visitor is gone.
    /// </summary>
    public IVisitorFeature? Synchronize(HttpContext context, bool granted)
    {
        if (granted)
        {
            return context.Features.Get<IVisitorFeature>() ?? Attach(context, canWrite: true);
        }

        var hadVisitor = context.Features.Get<IVisitorFeature>() is not null;
        context.Features.Set<IVisitorFeature>(null);
        if (hadVisitor || HasCookies(context))
        {
            DeleteCookies(context);
        }

        return null;
    }

    /// <summary>True when the request carries a visitor or session cookie, valid or not.</summary>
    public bool HasCookies(HttpContext context)
    {
        var headers = context.Request.Headers.Cookie;
        return new CookieHeaderScanner(headers, _visitorOptions.CookieName).MoveNext()
            || new CookieHeaderScanner(headers, _sessionOptions.CookieName).MoveNext();
    }

    /// <summary>Deletes the visitor and session cookies, and remembers it for the rest of the request.</summary>
    public void DeleteCookies(HttpContext context)
    {
        _writer.Delete(context, _visitorOptions.CookieName);
        _writer.Delete(context, _sessionOptions.CookieName);
        context.Features.Set(VisitorCookiesDeleted.Instance);
        _logger.VisitorCookiesDeleted();
    }

    internal ProtectedCookieCodec<SessionRecord> SessionCodec => _sessionCodec;

    /// <summary>
    /// Resolves this request's visitor. When <paramref name="canWrite"/> is false nothing is minted
    /// or refreshed and the result is null unless the request carries a valid visitor cookie.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="canWrite">Whether cookies may be minted or refreshed.</param>
    /// <param name="adoptVisitorId">The id a new visitor gets instead of a random one (a validated cross-domain link).</param>
    public VisitorFeature? Resolve(HttpContext context, bool canWrite, string? adoptVisitorId = null)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var cookieHeaders = context.Request.Headers.Cookie;

        var visitor = _reader.ReadFirstValid(cookieHeaders, _visitorOptions.CookieName, _visitorCodec);
        if (visitor is not null && _visitorOptions.ExpirationMode == VisitorExpirationMode.Fixed && now - visitor.FirstSeen >= _lifetimeSeconds)
        {
            // A fixed lifetime is never extended, even if the browser kept the cookie past it.
            visitor = null;
        }

        var session = visitor is null ? null : _reader.ReadFirstValid(cookieHeaders, _sessionOptions.CookieName, _sessionCodec);
        var isNewVisitor = false;
        if (visitor is null)
        {
            if (!canWrite)
            {
                return null;
            }

            visitor = new VisitorRecord(adoptVisitorId ?? RandomIds.NewUuid(), now, 0, null, now);
            isNewVisitor = true;
        }

        // A session belongs to the visitor whose cookie names it as the last session; a stale or
        // foreign session cookie starts a new session instead of continuing someone else's.
        var sessionAlive = session is not null
            && string.Equals(session.Id, visitor.LastSessionId, StringComparison.Ordinal)
            && now - session.LastActivity < _timeoutSeconds;

        bool writeVisitor = isNewVisitor, writeSession = false, isNewSession = false;
        if (sessionAlive)
        {
            if (canWrite && now - session!.LastActivity >= _sessionRefreshSeconds)
            {
                session = session with { LastActivity = now };
                writeSession = true;
            }
        }
        else if (canWrite)
        {
            session = new SessionRecord(RandomIds.NewUuid(), visitor.SessionCount + 1, now, now, visitor.LastSessionId);
            visitor = visitor with { SessionCount = session.Index, LastSessionId = session.Id, LastSeen = now };
            writeVisitor = writeSession = isNewSession = true;
        }
        else
        {
            session = null;
        }

        if (canWrite && !writeVisitor
            && _visitorOptions.ExpirationMode == VisitorExpirationMode.Sliding
            && now - visitor.LastSeen >= _visitorRefreshSeconds)
        {
            visitor = visitor with { LastSeen = now };
            writeVisitor = true;
        }

        if (isNewVisitor)
        {
            _metrics.NewVisitor();
            _logger.NewVisitor(visitor.Id);
        }

        if (isNewSession)
        {
            _metrics.NewSession();
            _logger.NewSession(session!.Index, session.Id, visitor.Id);
        }

        return new VisitorFeature(context, visitor, session, now)
        {
            Writable = canWrite,
            IsNewVisitor = isNewVisitor,
            IsNewSession = isNewSession,
            WriteVisitor = writeVisitor,
            WriteSession = writeSession,
        };
    }

    /// <summary>
    /// Appends the Set-Cookie headers the feature still owes the browser. Without a readable key
    /// (the key store is down when the instance starts) the page is answered without them: a
    /// missing cookie costs one visit's continuity, a failed page costs the visit.
    /// </summary>
    private void WriteCookies(VisitorFeature feature)
    {
        try
        {
            WriteProtectedCookies(feature);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            var now = _time.GetTimestamp();
            var last = Interlocked.Read(ref _keyWarningAt);
            if (last == 0 || _time.GetElapsedTime(last, now) >= KeyWarningInterval)
            {
                Interlocked.Exchange(ref _keyWarningAt, now);
                _logger.KeyRingUnavailable(_visitorOptions.CookieName, ex);
            }
        }
    }

    private void WriteProtectedCookies(VisitorFeature feature)
    {
        var context = feature.Context;
        var now = DateTimeOffset.FromUnixTimeSeconds(feature.Now);
        if (feature.WriteVisitor)
        {
            var maxAge = _visitorOptions.ExpirationMode == VisitorExpirationMode.Fixed
                ? feature.Visitor.FirstSeen + _lifetimeSeconds - feature.Now
                : _lifetimeSeconds;
            if (maxAge > 0)
            {
                Span<char> value = stackalloc char[CookieProtector.MaxValueLength];
                var length = _visitorCodec.Protect(feature.Visitor, value);
                _writer.Append(context, _visitorOptions.CookieName, value[..length], maxAge, now);
                _logger.CookieWritten(_visitorOptions.CookieName, maxAge);
            }
        }

        if (feature.WriteSession && feature.Session is { } session)
        {
            Span<char> value = stackalloc char[CookieProtector.MaxValueLength];
            var length = _sessionCodec.Protect(session, value);
            _writer.Append(context, _sessionOptions.CookieName, value[..length], _timeoutSeconds, now);
            _logger.CookieWritten(_sessionOptions.CookieName, _timeoutSeconds);
        }
    }
}
