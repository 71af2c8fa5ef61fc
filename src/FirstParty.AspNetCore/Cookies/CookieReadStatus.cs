namespace FirstParty.AspNetCore.Cookies;

/// <summary>The outcome of reading a protected cookie value.</summary>
internal enum CookieReadStatus
{
    Valid,
    Oversized,
    Malformed,
    UnsupportedVersion,
    Forged,
}

internal static class CookieReadStatusExtensions
{
    /// <summary>Cached tag values for logs and metrics.</summary>
    public static string ToReason(this CookieReadStatus status) => status switch
    {
        CookieReadStatus.Oversized => "oversized",
        CookieReadStatus.Malformed => "malformed",
        CookieReadStatus.UnsupportedVersion => "unsupported-version",
        CookieReadStatus.Forged => "forged",
        _ => "valid",
    };
}
