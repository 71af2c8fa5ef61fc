using System.Text.Json;
using System.Text.Json.Serialization;

namespace FirstParty.AspNetCore.Components;

/// <summary>
/// What the server knew when it rendered the page, carried to the interactive side in the page's
/// persisted component state: the consent state in the consent endpoint's JSON shape (so a decision's
/// answer reads the same way), and the markup the components rendered, keyed by what they asked for.
/// </summary>
internal sealed record FirstPartySnapshot(ConsentStateJson Consent, string? Endpoint, Dictionary<string, string> Markup)
{
    public const string PersistenceKey = "FirstParty.AspNetCore.Components";

    public string ToJson() => JsonSerializer.Serialize(this, ComponentsJsonContext.Default.FirstPartySnapshot);

    /// <summary>The snapshot in <paramref name="json"/>; null when it is not one (a page from another version, a tampered WebAssembly state).</summary>
    public static FirstPartySnapshot? FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, ComponentsJsonContext.Default.FirstPartySnapshot);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The consent endpoint's answer (docs/consent.md), the part the components use.</summary>
internal sealed record ConsentStateJson(
    bool Decided,
    string? ConsentId,
    int Revision,
    string? Regime,
    string? Region,
    bool Gpc,
    Dictionary<string, bool>? Categories,
    Dictionary<string, bool>? Services,
    VisitorStateJson? Visitor)
{
    public ConsentState ToConsent() => new(Decided, Categories ?? [], Services ?? [])
    {
        ConsentId = ConsentId,
        Revision = Revision,
        Regime = Regime,
        Region = Region,
        GlobalPrivacyControl = Gpc,
    };

    public VisitorState? ToVisitor() => Visitor is { Id: { Length: > 0 } id } v ? new VisitorState(id, v.SessionId, v.SessionIndex, v.NewSession) : null;

    public static ConsentStateJson From(ConsentState consent, VisitorState? visitor)
        => new(
            consent.Decided,
            consent.ConsentId,
            consent.Revision,
            consent.Regime,
            consent.Region,
            consent.GlobalPrivacyControl,
            new Dictionary<string, bool>(consent.Categories, StringComparer.Ordinal),
            new Dictionary<string, bool>(consent.Services, StringComparer.Ordinal),
            visitor is null ? null : new VisitorStateJson(visitor.VisitorId, visitor.SessionId, visitor.SessionIndex, visitor.IsNewSession));

    public static ConsentStateJson? FromJson(string json) => JsonSerializer.Deserialize(json, ComponentsJsonContext.Default.ConsentStateJson);
}

internal sealed record VisitorStateJson(string? Id, string? SessionId, int SessionIndex, bool NewSession);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FirstPartySnapshot))]
[JsonSerializable(typeof(ConsentStateJson))]
internal sealed partial class ComponentsJsonContext : JsonSerializerContext;
