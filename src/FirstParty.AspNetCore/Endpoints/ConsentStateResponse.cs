using System.Text.Json;
using System.Text.Json.Serialization;

namespace FirstParty.AspNetCore.Endpoints;

/// <summary>The JSON state the consent endpoints answer with (ARCHITECTURE section 6).</summary>
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
    VisitorStateResponse? Visitor)
{
    public static ConsentStateResponse From(IConsentFeature consent, IVisitorFeature? visitor)
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
            visitor is null ? null : new VisitorStateResponse(visitor.VisitorId, visitor.SessionId, visitor.SessionIndex, visitor.IsNewSession));
}

internal sealed record VisitorStateResponse(string Id, string? SessionId, int SessionIndex, bool NewSession);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ConsentStateResponse))]
[JsonSerializable(typeof(GpcResponse))]
internal sealed partial class EndpointJsonContext : JsonSerializerContext;

internal sealed record GpcResponse(bool Gpc, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LastUpdate);
