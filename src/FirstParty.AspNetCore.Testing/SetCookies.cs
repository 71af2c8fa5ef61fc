using Microsoft.Net.Http.Headers;

namespace FirstParty.AspNetCore.Testing;

/// <summary>Reads the Set-Cookie headers of a response.</summary>
public static class SetCookies
{
    /// <summary>Every Set-Cookie header of the response, parsed.</summary>
    public static IList<SetCookieHeaderValue> GetSetCookies(this HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.TryGetValues(HeaderNames.SetCookie, out var values)
            ? SetCookieHeaderValue.ParseStrictList([.. values])
            : [];
    }

    /// <summary>The cookie the response stores under <paramref name="name"/>, or null (deletions do not count).</summary>
    public static SetCookieHeaderValue? GetStoredCookie(this HttpResponseMessage response, string name)
        => response.GetSetCookies().LastOrDefault(c => c.Name.Equals(name, StringComparison.Ordinal) && !IsDeletion(c));

    /// <summary>True when the response deletes the cookie (max-age 0 or an expiry in the past).</summary>
    public static bool DeletesCookie(this HttpResponseMessage response, string name)
        => response.GetSetCookies().Any(c => c.Name.Equals(name, StringComparison.Ordinal) && IsDeletion(c));

    private static bool IsDeletion(SetCookieHeaderValue cookie)
        => cookie.MaxAge == TimeSpan.Zero || cookie.Expires < DateTimeOffset.UnixEpoch.AddYears(1);
}
