using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.TagHelpers;

namespace FirstParty.AspNetCore.Ledger;

/// <summary>
/// The SHA-256 of the notice a person saw in one language: policy revision, the banner's texts and
/// every category's and service's name and description. A receipt carries it so the exact wording
/// behind a decision can be proven later, even after the texts change.
/// </summary>
internal sealed class NoticeFingerprint(ConsentPolicy policy, ConsentUiTexts uiTexts, ConsentTexts texts)
{
    private static readonly string[] NoticeTexts = ["Title", "TitleRevised", "Text", "TextImplied", "TextRevised", "PreferencesTitle", "PreferencesText"];

    // Texts come from options and resources that do not change while the app runs: one hash per culture.
    private readonly ConcurrentDictionary<string, string> _byCulture = new(StringComparer.Ordinal);

    public string For(CultureInfo culture) => _byCulture.GetOrAdd(culture.Name, static (_, state) => state.Self.Compute(state.Culture), (Self: this, Culture: culture));

    private string Compute(CultureInfo culture)
    {
        var notice = new StringBuilder();
        notice.Append("revision=").Append(policy.Options.Revision.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var name in NoticeTexts)
        {
            notice.Append(name).Append('=').Append(uiTexts.Get(name, culture)).Append('\n');
        }

        foreach (var category in policy.Categories)
        {
            var (title, description) = texts.For(category.Key, category.Title, category.Description, category.Translations, culture);
            notice.Append(category.Key).Append('=').Append(title).Append('|').Append(description).Append('\n');
            foreach (var service in category.Services ?? [])
            {
                var (serviceTitle, serviceDescription) = texts.For(service.Key, service.Title, service.Description, service.Translations, culture);
                notice.Append(category.Key).Append('/').Append(service.Key).Append('=').Append(serviceTitle).Append('|').Append(serviceDescription).Append('\n');
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(notice.ToString())));
    }
}
