using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore;

/// <summary>The arguments of <see cref="FirstPartyEvents.OnConsentChanged"/>.</summary>
public sealed class ConsentChangedContext
{
    internal ConsentChangedContext(HttpContext httpContext, IReadOnlyDictionary<string, bool> previous, IConsentFeature current, string source)
    {
        HttpContext = httpContext;
        Previous = previous;
        Current = current;
        Source = source;
    }

    /// <summary>The request that carried the decision.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>Every category with whether it was granted before the decision.</summary>
    public IReadOnlyDictionary<string, bool> Previous { get; }

    /// <summary>The state after the decision.</summary>
    public IConsentFeature Current { get; }

    /// <summary>How the decision was made: accept-all, reject-all, custom, withdraw or api.</summary>
    public string Source { get; }
}
