using System.Collections.Concurrent;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using HeaderNames = Microsoft.Net.Http.Headers.HeaderNames;

namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// Decides whether a cookie the app writes may reach the browser: declared and granted (or
/// required) passes; declared but not granted is suppressed; undeclared follows
/// <see cref="ConsentOptions.UndeclaredCookies"/>. Also deletes declared cookies of refused categories.
/// </summary>
internal sealed class CookieGate
{
    private const int MaxWarnedNames = 1024;
    private const string FirstPartyService = "firstparty";

    private readonly CookieCatalogue _catalogue;
    private readonly ResponseCookieWriter _writer;
    private readonly UndeclaredCookiePolicy _undeclared;
    private readonly FirstPartyMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, bool> _warned = new(StringComparer.Ordinal);

    public CookieGate(CookieCatalogue catalogue, ResponseCookieWriter writer, IOptions<FirstPartyOptions> options, FirstPartyMetrics metrics, ILogger<CookieGate> logger)
    {
        _catalogue = catalogue;
        _writer = writer;
        _undeclared = options.Value.Consent.UndeclaredCookies;
        _metrics = metrics;
        _logger = logger;
    }

    public UndeclaredCookiePolicy UndeclaredPolicy => _undeclared;

    /// <summary>
    /// Puts this request's <c>Response.Cookies</c> under the gate, unless nothing could be refused
    /// (every category granted and undeclared cookies not blocked). The decorated feature is the
    /// mark that it is done, so this is idempotent without a flag. Cookies written around
    /// <c>Response.Cookies</c> are caught by <see cref="RunLastPass"/>.
    /// </summary>
    public void EnsureGated(HttpContext context, IConsentFeature consent)
    {
        if (!CouldRefuse(consent))
        {
            return;
        }

        var inner = context.Features.Get<IResponseCookiesFeature>();
        if (inner is GatedResponseCookiesFeature)
        {
            return;
        }

        context.Features.Set<IResponseCookiesFeature>(new GatedResponseCookiesFeature(inner ?? new ResponseCookiesFeature(context.Features), context, this));
    }

    /// <summary>False when no cookie can be refused: every category granted and undeclared cookies not blocked.</summary>
    public bool CouldRefuse(IConsentFeature consent)
        => _undeclared == UndeclaredCookiePolicy.Block || consent is not ConsentFeature { GrantsEverything: true };

    /// <summary>
    /// The gate's part of the response step, after every cookie of the response is written: deletes
    /// the refused declared cookies the browser sent, then drops the Set-Cookie headers the consent
    /// refuses (deletions always pass).
    /// </summary>
    public void RunLastPass(HttpContext context, IConsentFeature consent)
    {
        if (CouldRefuse(consent))
        {
            DeleteRefused(context, consent);
            FilterSetCookieHeaders(context, consent);
        }
    }

    public bool Allows(IConsentFeature consent, string name)
    {
        if (_catalogue.Find(name) is { } entry)
        {
            if (consent.IsGranted(entry.ChoiceKey))
            {
                return true;
            }

            _metrics.CookieSuppressed(entry.Category);
            _logger.CookieSuppressed(name, entry.Category);
            return false;
        }

        switch (_undeclared)
        {
            case UndeclaredCookiePolicy.Allow:
                return true;
            case UndeclaredCookiePolicy.Block:
                _metrics.CookieSuppressed("undeclared");
                _logger.CookieSuppressed(name, "undeclared");
                return false;
            default:
                if (_warned.Count < MaxWarnedNames && _warned.TryAdd(name, true))
                {
                    _logger.UndeclaredCookie(name);
                }

                return true;
        }
    }

    /// <summary>
    /// The last pass before the response starts: removes Set-Cookie headers the app wrote by hand
    /// (bypassing <c>Response.Cookies</c>) that the gate refuses. Deletions always pass.
    /// </summary>
    public void FilterSetCookieHeaders(HttpContext context, IConsentFeature consent)
    {
        var headers = context.Response.Headers.SetCookie;
        if (headers.Count == 0)
        {
            return;
        }

        List<string>? kept = null;
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            if (header is null)
            {
                continue;
            }

            var equals = header.IndexOf('=', StringComparison.Ordinal);
            var allowed = equals <= 0 || IsDeletion(header) || IsFirstParty(header[..equals].Trim()) || Allows(consent, header[..equals].Trim());
            if (!allowed && kept is null)
            {
                kept = [];
                for (var j = 0; j < i; j++)
                {
                    kept.Add(headers[j]!);
                }
            }
            else if (allowed)
            {
                kept?.Add(header);
            }
        }

        if (kept is not null)
        {
            context.Response.Headers[HeaderNames.SetCookie] = new StringValues([.. kept]);
        }
    }

    /// <summary>
    /// Deletes the declared cookies of refused categories that the browser sent, on every domain and
    /// path they may have been set on (once per name, though a browser sends one per domain and path).
    /// </summary>
    public void DeleteRefused(HttpContext context, IConsentFeature consent)
    {
        HashSet<string>? deleted = null;
        foreach (var header in context.Request.Headers.Cookie)
        {
            if (header is null)
            {
                continue;
            }

            foreach (var range in header.AsSpan().Split(';'))
            {
                var pair = header.AsSpan()[range].Trim();
                var equals = pair.IndexOf('=');
                if (equals <= 0)
                {
                    continue;
                }

                var name = pair[..equals].Trim().ToString();
                if (_catalogue.Find(name) is { } entry && entry.Service != FirstPartyService && !consent.IsGranted(entry.ChoiceKey)
                    && (deleted ??= new(StringComparer.Ordinal)).Add(name))
                {
                    _writer.DeleteDeclared(context, name, entry.Cookie.Domain, entry.Cookie.Path);
                }
            }
        }
    }

    /// <summary>FirstParty's own cookies are written under FirstParty's own rules (the exemption included).</summary>
    private bool IsFirstParty(string name) => _catalogue.Find(name) is { Service: FirstPartyService };

    private static bool IsDeletion(string header)
        => header.Contains("max-age=0", StringComparison.OrdinalIgnoreCase)
            || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase);
}
