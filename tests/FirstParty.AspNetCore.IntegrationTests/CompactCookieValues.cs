using System.Buffers.Text;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>
/// Reads the documented layout of a format-3 value (docs/visitor-cookies.md):
/// <c>3</c>, then base64url of a one-byte key hint, the binary payload and a 12-byte MAC. Every
/// payload starts with its 16-byte id.
/// </summary>
internal static class CompactCookieValues
{
    public static string Id(string value)
    {
        Assert.StartsWith("3", value, StringComparison.Ordinal);
        var bytes = Base64Url.DecodeFromChars(value.AsSpan(1));
        return new Guid(bytes.AsSpan(1, 16), bigEndian: true).ToString("D");
    }
}
