using System.Globalization;
using Microsoft.Extensions.Localization;

namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// Chooses the title and description of categories and services for the request's UI culture:
/// the configured translation for the culture or its parents, then the configured text, then the
/// built-in text of the default categories (English, French, German), then the key.
/// </summary>
internal sealed class ConsentTexts(IStringLocalizer<ConsentTexts> builtIn)
{
    public (string Title, string? Description) For(string key, string? title, string? description, IDictionary<string, ConsentText>? translations, CultureInfo culture)
    {
        for (var c = culture; !string.IsNullOrEmpty(c.Name); c = c.Parent)
        {
            if (translations is not null && translations.TryGetValue(c.Name, out var text))
            {
                if (text.Title is { Length: > 0 } translatedTitle)
                {
                    return (translatedTitle, text.Description ?? description);
                }
            }
        }

        if (title is { Length: > 0 })
        {
            return (title, description);
        }

        var builtInTitle = builtIn[$"{key}.Title"];
        var builtInDescription = builtIn[$"{key}.Description"];
        return builtInTitle.ResourceNotFound
            ? (key, description)
            : (builtInTitle.Value, description ?? (builtInDescription.ResourceNotFound ? null : builtInDescription.Value));
    }
}
