namespace FirstParty.AspNetCore.Cookies;

/// <summary>Syntax rules for cookie names and values (RFC 6265bis).</summary>
internal static class CookieNameRules
{
    public const string HostPrefix = "__Host-";
    public const string SecurePrefix = "__Secure-";

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

    public static bool HasHostPrefix(string name) => name.StartsWith(HostPrefix, StringComparison.OrdinalIgnoreCase);

    public static bool HasSecurePrefix(string name) => name.StartsWith(SecurePrefix, StringComparison.OrdinalIgnoreCase);
}
