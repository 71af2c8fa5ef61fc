using System.Globalization;

namespace FirstParty.AspNetCore.Internal;

/// <summary>The Unix-seconds timestamps inside FirstParty's cookie payloads.</summary>
internal static class UnixSeconds
{
    /// <summary>
    /// Plain digits only (no sign, spaces or exponent) and within <see cref="DateTimeOffset"/>'s
    /// range, so a tampered value can never overflow into a date the framework cannot represent.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out long seconds)
        => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out seconds)
            && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds();
}
