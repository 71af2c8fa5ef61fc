namespace FirstParty.AspNetCore;

/// <summary>
/// A tracking snippet that <c>&lt;tracking-snippet provider="{Name}" /&gt;</c> renders. FirstParty
/// ships Google Analytics 4, Amplitude, Snowplow, Matomo, Microsoft Clarity and Plausible; register
/// your own with <c>AddTrackingProvider&lt;T&gt;()</c>. The tag helper adds the CSP nonce to every
/// script and keeps the scripts inert (not executable) until <see cref="ConsentKey"/> is granted.
/// </summary>
public interface ITrackingSnippet
{
    /// <summary>The <c>provider</c> attribute value that selects it (compared without case).</summary>
    string Name { get; }

    /// <summary>The consent category, or <c>category/service</c>, the scripts need.</summary>
    string ConsentKey { get; }

    /// <summary>
    /// The scripts, in order. Embed values in inline code as JSON (for example with
    /// <c>System.Text.Json.JsonSerializer.Serialize</c>), never by concatenating raw strings.
    /// Returning no scripts renders nothing (for example when the provider is not configured).
    /// </summary>
    IEnumerable<TrackingScript> GetScripts(TrackingContext context);
}

/// <summary>One <c>&lt;script&gt;</c> of a tracking snippet: external (<see cref="Src"/>) or inline (<see cref="Code"/>).</summary>
public sealed record TrackingScript
{
    /// <summary>The script URL; self-host the SDK to keep it first-party.</summary>
    public string? Src { get; init; }

    /// <summary>Subresource Integrity hash of <see cref="Src"/> (<c>sha384-…</c>); adds <c>crossorigin="anonymous"</c>.</summary>
    public string? Integrity { get; init; }

    /// <summary>Inline JavaScript.</summary>
    public string? Code { get; init; }

    /// <summary>Adds <c>async</c> to an external script.</summary>
    public bool Async { get; init; }

    /// <summary>Other attributes, such as Plausible's <c>data-domain</c>.</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }
}

/// <summary>What a snippet may use for one page: the request, the consent, the SDK ids and the user id.</summary>
public sealed class TrackingContext
{
    internal TrackingContext(Microsoft.AspNetCore.Http.HttpContext httpContext, bool granted, ProviderIds ids, string? userId)
    {
        HttpContext = httpContext;
        Granted = granted;
        Ids = ids;
        UserId = userId;
    }

    /// <summary>The request.</summary>
    public Microsoft.AspNetCore.Http.HttpContext HttpContext { get; }

    /// <summary>
    /// Whether the provider's consent key is granted now. When false the scripts are rendered inert
    /// and run only after a later grant on this page, so they must not depend on ids known only now.
    /// </summary>
    public bool Granted { get; }

    /// <summary>The SDK ids (null values without consent).</summary>
    public ProviderIds Ids { get; }

    /// <summary>The signed-in user's id (<see cref="ProviderProfileOptions.UserId"/>), only when <see cref="Granted"/>; else null.</summary>
    public string? UserId { get; }
}
