namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// The built-in dictionary of the consent cookie's binary form: common category and service keys
/// as one-byte codes, so a decision stays self-describing (it never depends on the order of the
/// configured categories) and still fits in a few bytes. Codes are part of format 3: append only,
/// never reorder or remove.
/// </summary>
internal static class ConsentKeyCodes
{
    /// <summary>The first byte of a service choice, followed by its category key and its service key.</summary>
    public const byte ServiceMarker = 0x7F;

    /// <summary>A key byte with the high bit set is a dictionary code; 1 to 64 is the length of a literal key.</summary>
    public const byte CodeFlag = 0x80;

    public const int MaxLiteralLength = 64;

    private static readonly string[] Keys =
    [
        "necessary", "preferences", "analytics", "marketing", "functional", "statistics", "advertising",
        "performance", "personalization", "social", "essential", "security", "targeting", "measurement",
        "google-analytics", "snowplow", "amplitude", "youtube", "vimeo",
    ];

    /// <summary>The dictionary code of <paramref name="key"/>, or -1.</summary>
    public static int Find(ReadOnlySpan<char> key)
    {
        for (var i = 0; i < Keys.Length; i++)
        {
            if (key.SequenceEqual(Keys[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The cached key of a code, or null for a code this release does not know.</summary>
    public static string? Get(int code) => (uint)code < (uint)Keys.Length ? Keys[code] : null;
}
