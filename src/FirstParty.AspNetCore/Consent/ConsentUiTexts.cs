using System.Globalization;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// The banner's and privacy centre's texts: <c>FirstParty:Banner:Translations</c> for the culture (or
/// a parent culture), then <c>FirstParty:Banner:Texts</c>, then the built-in resources.
/// </summary>
internal sealed class ConsentUiTexts(IStringLocalizer<ConsentUiTexts> builtIn, IOptions<FirstPartyOptions> options)
{
    /// <summary>Every text name; configuration naming anything else fails at startup.</summary>
    internal static readonly string[] Names =
    [
        "Region", "Title", "TitleRevised", "Text", "TextImplied", "TextRevised", "PolicyLink", "AcceptAll", "RejectAll",
        "Customize", "PreferencesTitle", "PreferencesText", "Save", "AlwaysOn", "Close", "OpenPreferences", "Services",
        "Cookies", "Saved", "CentreTitle", "CentreDecided", "CentreUndecided", "CentreGpc", "Allowed", "NotAllowed",
        "VisitorId", "SessionId", "NoVisitor", "ConsentId", "Withdraw", "Forget", "History",
    ];

    public string Get(string name, CultureInfo culture)
    {
        var banner = options.Value.Banner;
        if (banner.Translations.Count > 0)
        {
            for (var c = culture; !string.IsNullOrEmpty(c.Name); c = c.Parent)
            {
                if (banner.Translations.TryGetValue(c.Name, out var texts) && texts.TryGetValue(name, out var translated))
                {
                    return translated;
                }
            }
        }

        return banner.Texts.TryGetValue(name, out var text) ? text : builtIn[name].Value;
    }

    public string Format(string name, CultureInfo culture, params object?[] args)
        => string.Format(culture, Get(name, culture), args);
}
