using System.Text.Json;
using FirstParty.AspNetCore.Consent;
using System.Text.Json.Serialization;

namespace FirstParty.AspNetCore.Endpoints;

/// <summary>The JSON state the consent endpoints answer with, and the consent script reads from the page (docs/consent.md).</summary>
internal sealed record ConsentStateResponse(
    bool Decided,
    string? ConsentId,
    int Revision,
    string Regime,
    string? Region,
    bool Gpc,
    DateTime? DecidedAt,
    DateTime? ExpiresAt,
    string? Source,
    IReadOnlyDictionary<string, bool> Categories,
    IReadOnlyDictionary<string, bool> Services,
    VisitorStateResponse? Visitor,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AntiforgeryResponse? Antiforgery = null)
{
    public static ConsentStateResponse From(IConsentFeature consent, IVisitorFeature? visitor, ConsentPolicy policy, AntiforgeryResponse? antiforgery = null)
        => new(
            consent.IsDecided,
            consent.ConsentId,
            consent.Revision,
            consent.Regime.ToString(),
            consent.Region,
            consent.GlobalPrivacyControl,
            consent.DecidedAt?.UtcDateTime,
            consent.ExpiresAt?.UtcDateTime,
            consent.Source,
            consent.Categories,
            ServiceStates(consent, policy),
            visitor is null ? null : new VisitorStateResponse(visitor.VisitorId, visitor.SessionId, visitor.SessionIndex, visitor.IsNewSession),
            antiforgery);

    /// <summary>Each service's own answer, which can differ from its category's after a per-service choice.</summary>
    public static Dictionary<string, bool> ServiceStates(IConsentFeature consent, ConsentPolicy policy)
    {
        var keys = policy.ServiceKeys;
        var services = new Dictionary<string, bool>(keys.Count, StringComparer.Ordinal);
        for (var i = 0; i < keys.Count; i++)
        {
            services[keys[i]] = consent.IsGranted(keys[i]);
        }

        return services;
    }
}

/// <summary>What the script needs to post a choice from markup rendered without a token.</summary>
internal sealed record AntiforgeryResponse(string HeaderName, string Token);

internal sealed record VisitorStateResponse(string Id, string? SessionId, int SessionIndex, bool NewSession);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ConsentStateResponse))]
[JsonSerializable(typeof(GpcResponse))]
internal sealed partial class EndpointJsonContext : JsonSerializerContext;

internal sealed record GpcResponse(bool Gpc, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LastUpdate);
