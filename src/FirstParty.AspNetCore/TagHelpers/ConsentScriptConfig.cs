using System.Text.Json;
using System.Text.Json.Serialization;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Endpoints;
using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>
/// What the enhancement script needs, rendered as <c>&lt;script type="application/json" id="fp-config"&gt;</c>
/// (data, not code, so a strict CSP does not apply to it).
/// </summary>
internal sealed record ConsentScriptConfig(
    string Endpoint,
    bool Decided,
    IReadOnlyDictionary<string, bool> Categories,
    IReadOnlyDictionary<string, bool> Services,
    IReadOnlyDictionary<string, string[]> Storage,
    string Saved)
{
    public static ConsentScriptConfig Create(HttpContext context, IConsentFeature consent, ConsentPolicy policy, CookieCatalogue catalogue, string saved)
    {
        return new(
            ConsentForms.Endpoint(context, "consent"),
            consent.IsDecided,
            consent.Categories,
            ConsentStateResponse.ServiceStates(consent, policy),
            catalogue.StorageKeys,
            saved);
    }

    /// <summary>JSON safe inside a script element: the default encoder escapes <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, TagHelperJsonContext.Default.ConsentScriptConfig);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ConsentScriptConfig))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(string))]
internal sealed partial class TagHelperJsonContext : JsonSerializerContext;
