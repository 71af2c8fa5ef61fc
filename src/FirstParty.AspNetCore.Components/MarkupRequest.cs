using System.Text;

namespace FirstParty.AspNetCore.Components;

/// <summary>What a component asks the server to render with the matching tag helper.</summary>
internal enum MarkupKind
{
    Banner,
    Preferences,
    PreferencesButton,
    PreferencesUrl,
    PrivacyCentre,
    CookieTable,
    ConsentMode,
    TrackingSnippet,
    Gated,
}

/// <summary>
/// One piece of markup: the kind, its argument (layout, category, provider or consent key) and, for a
/// gated element, the element as written. <see cref="Key"/> names it in the persisted copy.
/// </summary>
internal sealed record MarkupRequest(MarkupKind Kind, string? Argument = null, string? TagName = null, IReadOnlyList<KeyValuePair<string, string?>>? Attributes = null, string? Content = null)
{
    public string Key
    {
        get
        {
            var key = new StringBuilder().Append(Kind).Append('|').Append(Argument).Append('|').Append(TagName);
            foreach (var (name, value) in Attributes ?? [])
            {
                key.Append('|').Append(name).Append('=').Append(value);
            }

            return key.Append('|').Append(Content).ToString();
        }
    }
}
