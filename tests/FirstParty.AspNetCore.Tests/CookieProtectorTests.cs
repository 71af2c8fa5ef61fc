using System.Buffers.Text;
using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.DataProtection;

namespace FirstParty.AspNetCore.Tests;

/// <summary>The two wire formats: <c>2.{keyId}.{mac}.{payload}</c> (signed) and <c>1.{base64url}</c> (Data Protection).</summary>
public sealed class CookieProtectorTests
{
    private const string Payload = "0f8fad5b-d9cb-469f-a165-70867728950e.100.1.7c9e6679-7425-40de-944b-e07fc1f90ae7.200";

    private static readonly TestKeyRing Keys = new();

    private static CookieReadStatus Read(CookieProtector protector, string value, out string payload)
    {
        Span<char> buffer = stackalloc char[CookieProtector.MaxPayloadLength];
        var status = protector.TryUnprotect(value, buffer, out var written);
        payload = buffer[..written].ToString();
        return status;
    }

    [Fact]
    public void The_signed_format_carries_the_key_id_a_128_bit_mac_and_the_payload_in_clear()
    {
        var ring = Keys.CreateKeyRing();
        var protector = Keys.CreateSigningProtector("Visitor", ring);

        var value = protector.Protect(Payload);

        Assert.Matches($"^2\\.{ring.Current!.Id}\\.[A-Za-z0-9_-]{{22}}\\.", value);
        Assert.EndsWith("." + Payload, value, StringComparison.Ordinal);
        Assert.Equal(2 + 8 + 1 + 22 + 1 + Payload.Length, value.Length);
        Assert.Equal(16, Base64Url.DecodeFromChars(value.AsSpan(11, 22)).Length);

        Assert.Equal(CookieReadStatus.Valid, Read(protector, value, out var payload));
        Assert.Equal(Payload, payload);
    }

    [Fact]
    public void Signing_is_deterministic_per_key_and_purpose()
    {
        var ring = Keys.CreateKeyRing();
        var visitor = Keys.CreateSigningProtector("Visitor", ring).Protect(Payload);

        Assert.Equal(visitor, Keys.CreateSigningProtector("Visitor", ring).Protect(Payload));
        Assert.NotEqual(visitor, Keys.CreateSigningProtector("Session", ring).Protect(Payload));
    }

    [Fact]
    public void Without_signing_secrets_values_use_data_protection()
    {
        var protector = Keys.CreateDataProtectionProtector("Visitor");

        var value = protector.Protect(Payload);

        Assert.StartsWith("1.", value, StringComparison.Ordinal);
        Assert.DoesNotContain(Payload, value, StringComparison.Ordinal);
        Assert.Matches("^1\\.[A-Za-z0-9_-]+$", value);
        Assert.Equal(CookieReadStatus.Valid, Read(protector, value, out var payload));
        Assert.Equal(Payload, payload);
    }

    [Fact]
    public void A_signing_protector_still_reads_data_protection_values_of_its_purpose()
    {
        var signing = Keys.CreateSigningProtector("Visitor");
        var dataProtection = Keys.CreateDataProtectionProtector("Visitor");

        Assert.Equal(CookieReadStatus.Valid, Read(signing, dataProtection.Protect(Payload), out var payload));
        Assert.Equal(Payload, payload);
    }

    [Fact]
    public void A_protector_without_signing_secrets_cannot_verify_signed_values()
    {
        var signed = Keys.CreateSigningProtector("Visitor").Protect(Payload);
        Assert.Equal(CookieReadStatus.Forged, Read(Keys.CreateDataProtectionProtector("Visitor"), signed, out _));
    }

    [Fact]
    public void A_changed_payload_is_forged()
    {
        var protector = Keys.CreateSigningProtector("Visitor");
        var value = protector.Protect(Payload);
        var tampered = value.Replace(".100.1.", ".100.9.", StringComparison.Ordinal);

        Assert.NotEqual(value, tampered);
        Assert.Equal(CookieReadStatus.Forged, Read(protector, tampered, out var payload));
        Assert.Empty(payload);
    }

    [Fact]
    public void A_changed_mac_is_forged()
    {
        var protector = Keys.CreateSigningProtector("Visitor");
        var value = protector.Protect(Payload);
        var macStart = 2 + CookieKeyRing.IdLength + 1;
        var flipped = value[macStart] == 'A' ? 'B' : 'A';
        var tampered = string.Concat(value.AsSpan(0, macStart), [flipped], value.AsSpan(macStart + 1));

        Assert.Equal(CookieReadStatus.Forged, Read(protector, tampered, out _));
    }

    [Fact]
    public void An_unknown_key_id_is_forged()
    {
        var protector = Keys.CreateSigningProtector("Visitor");
        var value = protector.Protect(Payload);
        var tampered = "2.00000000" + value[10..];

        Assert.Equal(CookieReadStatus.Forged, Read(protector, tampered, out _));
    }

    [Fact]
    public void A_value_of_another_purpose_is_forged_in_both_formats()
    {
        var ring = Keys.CreateKeyRing();
        Assert.Equal(CookieReadStatus.Forged, Read(Keys.CreateSigningProtector("Visitor", ring), Keys.CreateSigningProtector("Session", ring).Protect(Payload), out _));
        Assert.Equal(CookieReadStatus.Forged, Read(Keys.CreateDataProtectionProtector("Visitor"), Keys.CreateDataProtectionProtector("Session").Protect(Payload), out _));
    }

    [Fact]
    public void A_value_signed_with_another_key_ring_is_forged()
    {
        using var other = new TestKeyRing();
        var foreign = other.CreateSigningProtector("Visitor").Protect(Payload);
        Assert.Equal(CookieReadStatus.Forged, Read(Keys.CreateSigningProtector("Visitor"), foreign, out _));
    }

    /// <summary>
    /// Regression (src/FirstParty.AspNetCore/Cookies/CookieKeyRing.cs, TryDerive): the signing secret is
    /// derived from the master key, key id and a constant, without Data Protection's application
    /// discriminator. Applications that share a key repository but set different application names
    /// are isolated by Data Protection (and by format 1), yet accept each other's format 2 cookies.
    /// </summary>
    [Fact]
    public void Applications_isolated_by_name_do_not_accept_each_others_values()
    {
        var shared = new InMemoryXmlRepository();
        using var shop = new TestKeyRing(shared, applicationName: "shop");
        using var blog = new TestKeyRing(shared, applicationName: "blog");

        // Data Protection (format 1) isolates the two applications...
        Assert.Equal(CookieReadStatus.Forged, Read(blog.CreateDataProtectionProtector("Visitor"), shop.CreateDataProtectionProtector("Visitor").Protect(Payload), out _));

        // ...and the signed format must too.
        Assert.Equal(CookieReadStatus.Forged, Read(blog.CreateSigningProtector("Visitor"), shop.CreateSigningProtector("Visitor").Protect(Payload), out _));
    }

    [Fact]
    public void Applications_with_the_same_name_and_key_repository_share_values()
    {
        var shared = new InMemoryXmlRepository();
        using var nodeA = new TestKeyRing(shared, applicationName: "farm");
        using var nodeB = new TestKeyRing(shared, applicationName: "farm");

        Assert.Equal(CookieReadStatus.Valid, Read(nodeB.CreateSigningProtector("Visitor"), nodeA.CreateSigningProtector("Visitor").Protect(Payload), out var signed));
        Assert.Equal(CookieReadStatus.Valid, Read(nodeB.CreateDataProtectionProtector("Visitor"), nodeA.CreateDataProtectionProtector("Visitor").Protect(Payload), out var protectedPayload));
        Assert.Equal(Payload, signed);
        Assert.Equal(Payload, protectedPayload);
    }

    [Fact]
    public void Signed_payloads_over_512_characters_or_not_ascii_are_malformed()
    {
        var protector = Keys.CreateSigningProtector("Visitor");
        var value = protector.Protect(Payload);
        var prefix = value[..(value.Length - Payload.Length)];

        Assert.Equal(CookieReadStatus.Malformed, Read(protector, prefix + new string('a', 513), out _));
        Assert.Equal(CookieReadStatus.Malformed, Read(protector, prefix + "é", out _));
        Assert.Equal(CookieReadStatus.Malformed, Read(protector, prefix, out _));
    }

    [Fact]
    public void Data_protection_payloads_over_512_bytes_or_not_ascii_are_malformed()
    {
        var protector = Keys.CreateDataProtectionProtector("Visitor");
        var rootProtector = Keys.RootProtector.CreateProtector("Visitor");

        Assert.Throws<ArgumentException>(() => protector.Protect(new string('a', 513)));
        Assert.Equal(CookieReadStatus.Malformed, Read(protector, "1." + Base64Url.EncodeToString(rootProtector.Protect(Enumerable.Repeat((byte)'a', 513).ToArray())), out _));
        Assert.Equal(CookieReadStatus.Valid, Read(protector, protector.Protect(new string('a', 512)), out var max));
        Assert.Equal(512, max.Length);
        Assert.Equal(CookieReadStatus.Malformed, Read(protector, "1." + Base64Url.EncodeToString(rootProtector.Protect("é"u8.ToArray())), out _));
    }

    [Theory]
    [InlineData("3.AAAA")]
    [InlineData("0.AAAA")]
    public void Unknown_versions_are_unsupported(string value)
        => Assert.Equal(CookieReadStatus.UnsupportedVersion, Read(Keys.CreateSigningProtector("Visitor"), value, out _));

    /// <summary>
    /// When the key ring has no usable key and cannot create one (automatic key generation
    /// disabled), the key ring's bootstrap fails; reading a signed value must still not throw.
    /// </summary>
    [Fact]
    public void TryUnprotect_never_throws_even_when_the_key_ring_cannot_provide_a_key()
    {
        using var keys = new TestKeyRing(configure: dp => dp.DisableAutomaticKeyGeneration(), createKey: false);
        var protector = keys.CreateSigningProtector("Visitor");
        const string Value = "2.abcdef01.AAAAAAAAAAAAAAAAAAAAAA." + Payload;

        var status = CookieReadStatus.Valid;
        var exception = Record.Exception(() => status = Read(protector, Value, out _));

        Assert.Null(exception);
        Assert.Equal(CookieReadStatus.Forged, status);
    }
}
