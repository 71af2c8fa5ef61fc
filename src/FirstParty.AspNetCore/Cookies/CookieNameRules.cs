namespace FirstParty.AspNetCore.Cookies;

/// <summary>Syntax rules for cookie names and values (RFC 6265bis).</summary>
internal static class CookieNameRules
{
    public const string HostPrefix = "__Host-";
    public const string SecurePrefix = "__Secure-";

    private static readonly System.Buffers.SearchValues<char> UnsafePathChars = System.Buffers.SearchValues.Create(";, \t\r\n\"\\");

    /// <summary>True when the name is an HTTP token (RFC 9110 tchar).</summary>
    public static bool IsToken(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        foreach (var c in name)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
                or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True for a cookie Path that starts with <c>/</c> and cannot end the attribute early (no <c>;</c>, <c>,</c>, quote or whitespace).</summary>
    public static bool IsPath([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? path)
        => path is { Length: > 0 } && path[0] == '/' && !path.AsSpan().ContainsAny(UnsafePathChars);

    public static bool HasHostPrefix(string name) => name.StartsWith(HostPrefix, StringComparison.OrdinalIgnoreCase);

    public static bool HasSecurePrefix(string name) => name.StartsWith(SecurePrefix, StringComparison.OrdinalIgnoreCase);
}
