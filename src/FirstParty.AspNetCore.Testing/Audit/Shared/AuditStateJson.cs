using System.Text.Json;

namespace FirstParty.AspNetCore.Testing;

/// <summary>An audited state from the JSON of <c>GET /_fp/consent</c>: the state as the site itself answered it.</summary>
internal static class AuditStateJson
{
    public static AuditedState FromJson(JsonElement json, CookieAuditState state, IReadOnlyList<string> required, IReadOnlyList<AuditedPage> pages) => new()
    {
        Name = state.Name,
        Decided = json.GetProperty("decided").GetBoolean(),
        Regime = json.GetProperty("regime").GetString()!,
        Categories = Flags(json, "categories"),
        Services = Flags(json, "services"),
        RequiredCategories = required,
        Pages = pages,
    };

    private static Dictionary<string, bool> Flags(JsonElement json, string property)
        => json.TryGetProperty(property, out var flags)
            ? flags.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetBoolean(), StringComparer.Ordinal)
            : [];
}
