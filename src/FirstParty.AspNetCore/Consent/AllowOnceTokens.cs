using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// "Allow once" without JavaScript: the consent endpoint answers a posted <c>choice=once</c> with a
/// redirect carrying <c>fp-allow</c>, a short-lived protected token naming one category or service.
/// The gated element renders on that page view only; nothing is recorded and no cookie is written.
/// Minting needs the antiforgery token, so a link from another site cannot load an embed.
/// </summary>
internal sealed class AllowOnceTokens(IDataProtectionProvider provider, TimeProvider time)
{
    public const string QueryName = "fp-allow";

    /// <summary>Long enough for the redirect to land, short enough that a copied URL is useless.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    private const int MaxTokens = 4;
    private static readonly object ItemsKey = new();

    private readonly ITimeLimitedDataProtector _protector = provider.CreateProtector("FirstParty.AllowOnce").ToTimeLimitedDataProtector();

    public string Create(string key) => _protector.Protect(key, time.GetUtcNow() + Lifetime);

    /// <summary>True when the request's URL carries a valid, unexpired token for <paramref name="key"/>.</summary>
    public bool IsAllowed(HttpContext context, string key)
    {
        if (context.Items.TryGetValue(ItemsKey, out var cached))
        {
            return ((string[])cached!).Contains(key, StringComparer.Ordinal);
        }

        var values = context.Request.Query[QueryName];
        var allowed = new List<string>(values.Count);
        for (var i = 0; i < values.Count && i < MaxTokens; i++)
        {
            if (values[i] is { Length: > 0 and < 1024 } token && TryRead(token, out var value))
            {
                allowed.Add(value);
            }
        }

        var keys = allowed.ToArray();
        context.Items[ItemsKey] = keys;
        return keys.Contains(key, StringComparer.Ordinal);
    }

    private bool TryRead(string token, out string key)
    {
        try
        {
            key = _protector.Unprotect(token, out var expiration);
            return expiration > time.GetUtcNow();
        }
        catch (CryptographicException)
        {
            key = string.Empty;
            return false;
        }
        catch (FormatException)
        {
            key = string.Empty;
            return false;
        }
    }
}
