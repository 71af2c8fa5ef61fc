namespace FirstParty.AspNetCore.Diagnostics;

/// <summary>
/// Tag values for FirstParty's instruments, bounded and made without allocating: a metric series
/// per distinct value, so nothing a client sends may choose one freely, and nothing that identifies
/// a person ever is one.
/// </summary>
internal static class MetricTags
{
    public const string Unknown = "unknown";

    private const int CachedRevisions = 256;

    private static readonly string[] Countries = CreateCountries();
    private static readonly object[] Revisions = CreateRevisions();
    private static readonly object True = true;
    private static readonly object False = false;

    /// <summary>
    /// The country of a normalised region (<c>DE</c>, <c>US-CA</c>): its ISO 3166-1 alpha-2 part,
    /// at most 676 values. Subdivisions are dropped so the series stay few; the ledger keeps them.
    /// </summary>
    public static string Region(string? region)
    {
        if (region is null || region.Length < 2 || (region.Length > 2 && region[2] != '-'))
        {
            return Unknown;
        }

        var first = region[0] - 'A';
        var second = region[1] - 'A';
        return (uint)first < 26 && (uint)second < 26 ? Countries[(first * 26) + second] : Unknown;
    }

    /// <summary>The policy revision, boxed once per value.</summary>
    public static object Revision(int revision)
        => (uint)revision < CachedRevisions ? Revisions[revision] : revision;

    /// <summary>A flag, boxed once.</summary>
    public static object Flag(bool value) => value ? True : False;

    /// <summary>The UI culture's name (bounded by the cultures the app supports); <c>und</c> for the invariant culture.</summary>
    public static string Language(System.Globalization.CultureInfo culture)
        => culture.Name.Length == 0 ? "und" : culture.Name;

    private static string[] CreateCountries()
    {
        var countries = new string[26 * 26];
        for (var i = 0; i < countries.Length; i++)
        {
            countries[i] = string.Create(2, i, static (span, index) =>
            {
                span[0] = (char)('A' + (index / 26));
                span[1] = (char)('A' + (index % 26));
            });
        }

        return countries;
    }

    private static object[] CreateRevisions()
    {
        var revisions = new object[CachedRevisions];
        for (var i = 0; i < revisions.Length; i++)
        {
            revisions[i] = i;
        }

        return revisions;
    }
}
