using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Providers;
using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Tests.Providers;

/// <summary>A hand-built visitor for the profiles' unit tests.</summary>
internal sealed class FakeVisitor : IVisitorFeature
{
    public string VisitorId { get; init; } = ProviderTestSupport.VisitorId;

    public DateTimeOffset FirstSeen { get; init; } = ProviderTestSupport.FirstSeen;

    public int SessionIndex { get; init; } = 1;

    public string? SessionId { get; init; } = ProviderTestSupport.SessionId;

    public DateTimeOffset? SessionStart { get; init; } = ProviderTestSupport.Now;

    public string? PreviousSessionId { get; init; }

    public bool IsNewVisitor { get; init; }

    public bool IsNewSession { get; init; }
}

/// <summary>One raw Set-Cookie header split into its name, value and attributes (keys lower-cased).</summary>
internal sealed record RawSetCookie(string Header, string Name, string Value, IReadOnlyDictionary<string, string?> Attributes)
{
    public string? Domain => Attributes.TryGetValue("domain", out var domain) ? domain : null;

    public bool HasDomain => Attributes.ContainsKey("domain");

    public long MaxAge => long.Parse(Attributes["max-age"]!, NumberStyles.None, CultureInfo.InvariantCulture);

    public bool Secure => Attributes.ContainsKey("secure");

    public bool HttpOnly => Attributes.ContainsKey("httponly");

    public bool IsDeletion => Attributes.TryGetValue("max-age", out var maxAge) && maxAge == "0";

    public static RawSetCookie Parse(string header)
    {
        var parts = header.Split(';');
        var first = parts[0];
        var equals = first.IndexOf('=', StringComparison.Ordinal);
        Assert.True(equals > 0, $"Not a cookie: {header}");
        var attributes = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var part in parts.Skip(1))
        {
            var attribute = part.Trim();
            var eq = attribute.IndexOf('=', StringComparison.Ordinal);
            var key = (eq < 0 ? attribute : attribute[..eq]).ToLowerInvariant();
            Assert.False(attributes.ContainsKey(key), $"Attribute {key} twice in {header}");
            attributes[key] = eq < 0 ? null : attribute[(eq + 1)..];
        }

        return new RawSetCookie(header, first[..equals], first[(equals + 1)..], attributes);
    }
}

internal static partial class ProviderTestSupport
{
    public const string VisitorId = "5f0c2a1e-8d7b-4c1a-9f3e-2b6d7a8c9e10";
    public const string OtherVisitorId = "0b8f6c2e-1d3a-4e5f-8a9b-c0d1e2f3a4b5";
    public const string SessionId = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    public const string PreviousSessionId = "16fd2706-8baf-433b-82eb-8c7fada847da";

    /// <summary>A 32-character Amplitude API key (letters and digits, as the SDK's are).</summary>
    public const string ApiKey = "0123456789abcdef0123456789abcdef";

    public const long MaxAgeCap = 34560000;

    public static readonly DateTimeOffset Now = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset FirstSeen = new(2025, 6, 1, 8, 30, 0, TimeSpan.Zero);

    /// <summary>Metrics on a meter factory of their own, for types that need the instruments.</summary>
    public static FirstParty.AspNetCore.Diagnostics.FirstPartyMetrics Metrics()
    {
        var services = Microsoft.Extensions.DependencyInjection.MetricsServiceExtensions.AddMetrics(new Microsoft.Extensions.DependencyInjection.ServiceCollection());
        var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        return new(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(provider));
    }

    public static CookieDomainResolver Domains(string? siteDomain = null)
        => new(new FirstPartyCookieOptions { Domain = siteDomain }, PublicSuffixList.Embedded);

    public static DefaultHttpContext Http(string host, string? cookieHeader = null)
    {
        var http = new DefaultHttpContext();
        http.Request.Scheme = "https";
        http.Request.Host = new HostString(host);
        http.Request.Path = "/";
        if (cookieHeader is not null)
        {
            http.Request.Headers.Cookie = cookieHeader;
        }

        return http;
    }

    public static ProviderCookieContext Context(HttpContext http, IVisitorFeature? visitor = null, string? siteDomain = null)
        => new(http, visitor ?? new FakeVisitor(), Now, Domains(siteDomain));

    /// <summary>The raw Set-Cookie headers the profile appended, parsed.</summary>
    public static IReadOnlyList<RawSetCookie> SetCookies(HttpContext http)
        => [.. http.Response.Headers.SetCookie.Select(h => RawSetCookie.Parse(h!))];

    /// <summary>The raw Set-Cookie headers the profile appended.</summary>
    public static string[] Headers(HttpContext http) => [.. http.Response.Headers.SetCookie.Select(h => h!)];

    /// <summary>What node's <c>btoa(encodeURIComponent(json))</c> gives, decoded back.</summary>
    public static string DecodeAmplitude(string value)
        => Uri.UnescapeDataString(Encoding.ASCII.GetString(Convert.FromBase64String(value)));

    /// <summary>
    /// base64 over the percent-encoded text, the shape analytics-browser writes. EscapeDataString
    /// differs from encodeURIComponent only for <c>! * ' ( )</c>, which the texts used here avoid.
    /// </summary>
    public static string EncodeAmplitude(string json)
        => Convert.ToBase64String(Encoding.ASCII.GetBytes(Uri.EscapeDataString(json)));

    [GeneratedRegex("^[0-9a-f.-]+$", RegexOptions.CultureInvariant)]
    public static partial Regex SnowplowSafe();
}
