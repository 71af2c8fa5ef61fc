using System.Text;
using System.Text.Json;

namespace FirstParty.AspNetCore.Providers;

/// <summary>
/// Amplitude's device-id cookie. analytics-browser 2 reads <c>AMP_{key10}</c> holding
/// base64(encodeURIComponent(JSON)) of <c>{"deviceId","optOut","cookieDomain"}</c>, and no session id
/// (a server-written one would suppress the SDK's Start Session event). amplitude-js 8 reads
/// <c>amp_{key6}</c> holding <c>{deviceId}...0.0.0.0.0</c>. Both live on <c>.{registrable domain}</c>,
/// host-only on single-label hosts and IP addresses, and are written raw (never percent-encoded).
/// </summary>
internal sealed class AmplitudeProfile(AmplitudeProfileOptions options) : ProviderProfile
{
    private const string SameSite = "Lax";

    public override string ServiceKey => "amplitude";

    public override string ProviderName => "Amplitude";

    public override string Category => options.Category;

    // Read on every page: made once (the options are fixed when the profile is created).
    private string? _cookieName;
    private string? _browserCookieName;
    private string? _legacyCookieName;

    internal string CookieName => _cookieName ??= options.Sdk == AmplitudeSdk.AmplitudeJs ? LegacyCookieName : BrowserCookieName;

    /// <summary>analytics-browser's name: <c>AMP_</c> and the key's first ten characters (the whole key when shorter).</summary>
    private string BrowserCookieName => _browserCookieName ??= "AMP_" + Key10;

    /// <summary>amplitude-js 8's name: <c>amp_</c> and the key's first six characters.</summary>
    private string LegacyCookieName => _legacyCookieName ??= "amp_" + options.ApiKey![..6];

    private string Key10 => options.ApiKey![..Math.Min(10, options.ApiKey!.Length)];

    /// <summary>What the server writes: the configured lifetime within the browsers' cap, for the cookie and the cookie table alike.</summary>
    private TimeSpan Lifetime => Capped(options.Lifetime);

    public override IEnumerable<CookieDeclaration> Declarations
    {
        get
        {
            const string Kept = "The analytics device id (Amplitude), kept by this site's server.";
            const string Other = "An analytics device id left by another version of Amplitude's SDK.";
            yield return new() { Name = CookieName, Lifetime = Lifetime, Purpose = Kept };
            if (options.Sdk == AmplitudeSdk.AmplitudeJs)
            {
                yield return new() { Name = BrowserCookieName, Lifetime = Lifetime, Purpose = Other };
            }
            else
            {
                // Written by the SDK itself (campaign attribution, and probes that find the cookie
                // domain); declared so that refusal deletes them too.
                yield return new() { Name = "AMP_MKTG_" + Key10, Lifetime = Lifetime, Purpose = "The campaign that brought you to the site (Amplitude)." };
                yield return new() { Name = "AMP_TEST", Purpose = "Checks that cookies can be stored (Amplitude)." };
                yield return new() { Name = "AMP_TLDTEST", Purpose = "Finds the site's cookie domain (Amplitude)." };

                // analytics-browser reads the older SDK's cookie once to migrate it.
                yield return new() { Name = LegacyCookieName, Lifetime = Lifetime, Purpose = Other };
            }

            // amplitude-js: the cookie of its versions before 6 (with an instance-name suffix for
            // named instances) and the probes that test cookies and find the cookie domain.
            yield return new() { Name = "amplitude_id_" + options.ApiKey + "*", Lifetime = Lifetime, Purpose = Other };
            yield return new() { Name = "amp_cookie_test*", Purpose = "Checks that cookies can be stored (Amplitude)." };
            yield return new() { Name = "amplitude_cookie_test*", Purpose = "Checks that cookies can be stored (Amplitude)." };
            yield return new() { Name = "amplitude_test*", Purpose = "Finds the site's cookie domain (Amplitude)." };
        }
    }

    /// <summary>
    /// Both SDKs' browser storage: analytics-browser's queue of unsent events (<c>AMP_unsent_{key10}</c>),
    /// remote configuration, and the page URLs and page-view id it keeps in sessionStorage; amplitude-js's unsent events and identifies
    /// (<c>amplitude_unsent_{key}</c>, <c>amplitude_unsent_identify_{key}</c>) and its cookie stand-in
    /// (<c>amp_cookiestore_*</c>); the id when either keeps its identity in storage instead of a cookie;
    /// and analytics-browser's diagnostics IndexedDB database (<c>AMP_diagnostics_{key10}</c>), which the
    /// cookie audit found (the consent script clears storage keys, not databases).
    /// </summary>
    public override IEnumerable<string> StorageKeys =>
    [
        "AMP_unsent_*",
        "AMP_remote_config_" + Key10,
        "AMP_URL_INFO",
        "AMP_PAGE_VIEW",
        "AMP_diagnostics_" + Key10,
        BrowserCookieName,
        "AMP_MKTG_" + Key10,
        "amplitude_unsent_*",
        "amp_cookiestore_*",
        LegacyCookieName,
    ];

    public override bool Write(ProviderCookieContext context, bool missingOnly)
    {
        // The full check (base64, then JSON) runs when the cookie is refreshed; a page in between
        // only looks at its shape.
        if (missingOnly && context.HasRequestCookie(CookieName, options.Sdk == AmplitudeSdk.AmplitudeJs ? LooksLegacy : LooksBase64))
        {
            return false;
        }

        var domain = Domain(context);
        var existing = context.RequestCookie(CookieName);
        if (existing is not null && DeviceId(existing) is not null)
        {
            if (!missingOnly)
            {
                context.Append(CookieName, existing, domain, Lifetime, options.Secure, SameSite);
            }

            return false;
        }

        var value = options.Sdk == AmplitudeSdk.AmplitudeJs
            ? LegacyValue(context.Visitor.VisitorId)
            : BrowserValue(context.Visitor.VisitorId, domain ?? string.Empty);
        context.Append(CookieName, value, domain, Lifetime, options.Secure, SameSite);
        return true;
    }

    public override string ResolveId(ProviderCookieContext context)
        => context.RequestCookie(CookieName) is { } existing && DeviceId(existing) is { } deviceId ? deviceId : context.Visitor.VisitorId;

    /// <summary><c>base64(encodeURIComponent(json))</c>, as analytics-browser writes and reads it.</summary>
    internal static string BrowserValue(string deviceId, string cookieDomain)
    {
        // Made for every new visitor: the JSON's bytes are the one allocation besides the value.
        var json = JsonSerializer.SerializeToUtf8Bytes(new AmplitudeSession(deviceId, false, cookieDomain), ProviderJsonContext.Default.AmplitudeSession);
        var rented = json.Length <= 256 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(json.Length * 3);
        Span<byte> encoded = rented ?? stackalloc byte[768];
        var value = Convert.ToBase64String(encoded[..EncodeUriComponent(json, encoded)]);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }

        return value;
    }

    /// <summary>amplitude-js 8: device id, no user id, no opt-out, and zero session, times and counters (so the SDK starts a session).</summary>
    internal static string LegacyValue(string deviceId) => deviceId + "...0.0.0.0.0";

    /// <summary>The device id in a cookie the SDK wrote (or we did); null when it cannot be read.</summary>
    internal string? DeviceId(string value)
    {
        if (options.Sdk == AmplitudeSdk.AmplitudeJs)
        {
            var end = value.IndexOf('.', StringComparison.Ordinal);
            return end > 0 ? value[..end] : null;
        }

        try
        {
            var decoded = Uri.UnescapeDataString(Encoding.ASCII.GetString(Convert.FromBase64String(value)));
            using var json = JsonDocument.Parse(decoded);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("deviceId", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } deviceId
                ? deviceId
                : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static bool LooksLegacy(ReadOnlySpan<char> value) => value.IndexOf('.') > 0;

    private static bool LooksBase64(ReadOnlySpan<char> value)
        => value.Length >= 8 && value.Length % 4 == 0 && !value.ContainsAnyExcept(Base64Chars);

    private static readonly System.Buffers.SearchValues<char> Base64Chars = System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

    /// <summary>JavaScript's encodeURIComponent: everything but <c>A-Z a-z 0-9 - _ . ! ~ * ' ( )</c> is percent-encoded (UTF-8).</summary>
    internal static string EncodeUriComponent(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        var encoded = new byte[utf8.Length * 3];
        return Encoding.ASCII.GetString(encoded, 0, EncodeUriComponent(utf8, encoded));
    }

    /// <summary>
    /// Percent-encodes UTF-8 <paramref name="utf8"/> into <paramref name="destination"/> (ASCII, at
    /// most three bytes for each one in) and returns the length written.
    /// </summary>
    private static int EncodeUriComponent(ReadOnlySpan<byte> utf8, Span<byte> destination)
    {
        var length = 0;
        foreach (var b in utf8)
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'!' or (byte)'~' or (byte)'*' or (byte)'\'' or (byte)'(' or (byte)')')
            {
                destination[length++] = b;
            }
            else
            {
                destination[length++] = (byte)'%';
                destination[length++] = (byte)UpperHex[b >> 4];
                destination[length++] = (byte)UpperHex[b & 0xF];
            }
        }

        return length;
    }

    private const string UpperHex = "0123456789ABCDEF";

    /// <summary><c>.{registrable domain}</c>, or host-only (null) on single-label hosts and IP addresses.</summary>
    private static string? Domain(ProviderCookieContext context)
        => context.RegistrableDomain is { } registrable ? "." + registrable : null;
}

internal sealed record AmplitudeSession(string DeviceId, bool OptOut, string CookieDomain);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(AmplitudeSession))]
internal sealed partial class ProviderJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
