using System.Collections.Frozen;

namespace FirstParty.AspNetCore.Consent;

/// <summary>Region codes and the choice of a regime for a region.</summary>
internal static class RegionRules
{
    public const string EeaGroup = "EEA";
    public const string Fallback = "*";

    /// <summary>The EU 27 plus Iceland, Liechtenstein and Norway.</summary>
    public static readonly FrozenSet<string> Eea = FrozenSet.ToFrozenSet(
    [
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
        "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
    ], StringComparer.Ordinal);

    /// <summary>
    /// Normalises <c>fr</c>, <c>US-CA</c>, <c>us_ca</c> to upper case with a hyphen; null for anything
    /// that is not a two-letter country with an optional 1-3 character subdivision.
    /// </summary>
    public static string? Normalize(string? country, string? subdivision = null)
    {
        if (string.IsNullOrWhiteSpace(country))
        {
            return null;
        }

        var value = country.Trim().Replace('_', '-').ToUpperInvariant();
        if (!string.IsNullOrWhiteSpace(subdivision) && !value.Contains('-', StringComparison.Ordinal))
        {
            value = $"{value}-{subdivision.Trim().ToUpperInvariant()}";
        }

        var dash = value.IndexOf('-', StringComparison.Ordinal);
        var countryPart = dash < 0 ? value : value[..dash];
        if (countryPart.Length != 2 || !countryPart.All(char.IsAsciiLetterUpper))
        {
            return null;
        }

        if (dash >= 0)
        {
            var sub = value[(dash + 1)..];
            if (sub.Length is < 1 or > 3 || !sub.All(char.IsAsciiLetterOrDigit))
            {
                return countryPart;
            }
        }

        return value;
    }

    /// <summary>The most specific configured regime: subdivision, country, EEA, <c>*</c>, then the default.</summary>
    public static ConsentRegime Choose(string? region, IDictionary<string, ConsentRegime> regions, ConsentRegime fallback)
    {
        if (region is not null)
        {
            if (regions.TryGetValue(region, out var exact))
            {
                return exact;
            }

            var dash = region.IndexOf('-', StringComparison.Ordinal);
            var country = dash < 0 ? region : region[..dash];
            if (dash >= 0 && regions.TryGetValue(country, out var byCountry))
            {
                return byCountry;
            }

            if (Eea.Contains(country) && regions.TryGetValue(EeaGroup, out var eea))
            {
                return eea;
            }
        }

        return regions.TryGetValue(Fallback, out var any) ? any : fallback;
    }
}
