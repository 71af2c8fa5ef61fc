using Microsoft.Extensions.Primitives;

namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// Where a decision was taken, for the decisions metric: on the banner's first layer (accept or
/// reject all), on the second (the preferences: the banner's own or the privacy centre's), or
/// neither (an API, a signal). The forms say which in their <see cref="Field"/>.
/// </summary>
internal static class ConsentLayers
{
    /// <summary>The hidden form field the consent forms carry.</summary>
    public const string Field = "layer";

    public const string First = "first";
    public const string Second = "second";
    public const string None = "none";

    /// <summary>
    /// The layer of a posted choice: a custom choice is always made in the preferences; accept or
    /// reject all count as the form says (the banner's form says first). Anything else is none.
    /// </summary>
    public static string Of(string source, StringValues field)
    {
        if (source == ConsentSources.Custom)
        {
            return Second;
        }

        return field.Count == 1 && field[0] is { } value
            ? value switch
            {
                First => First,
                Second => Second,
                _ => None,
            }
            : None;
    }
}
