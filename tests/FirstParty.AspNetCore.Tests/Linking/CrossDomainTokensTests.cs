using System.Security.Cryptography;
using System.Diagnostics.Metrics;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Linking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FirstParty.AspNetCore.Tests.Linking;

public sealed class CrossDomainTokensTests
{
    private const string VisitorId = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    private static readonly string SharedKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly IDataProtectionProvider _keys = new EphemeralDataProtectionProvider();

    public static TheoryData<string?> Keys => new() { null, SharedKey };

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task A_link_made_for_a_sister_is_accepted_once_on_that_host(string? sharedKey)
    {
        var tokens = Tokens(sharedKey);
        var token = tokens.Create(VisitorId, "www.example.com", "shop.example.org");

        Assert.Equal((VisitorId, (string?)null), await tokens.ValidateAsync(token, "SHOP.example.org"));
        Assert.Equal((null, "replayed"), await tokens.ValidateAsync(token, "shop.example.org"));
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task A_link_older_than_its_lifetime_is_expired(string? sharedKey)
    {
        var tokens = Tokens(sharedKey);
        var token = tokens.Create(VisitorId, "www.example.com", "shop.example.org");

        _time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));

        Assert.Equal((null, "expired"), await tokens.ValidateAsync(token, "shop.example.org"));
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task A_changed_link_is_forged(string? sharedKey)
    {
        var tokens = Tokens(sharedKey);
        var token = tokens.Create(VisitorId, "www.example.com", "shop.example.org");
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        Assert.Equal((null, "forged"), await tokens.ValidateAsync(tampered, "shop.example.org"));
    }

    [Fact]
    public async Task A_link_signed_with_another_key_is_forged()
    {
        var mine = Tokens(SharedKey);
        var theirs = Tokens(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

        Assert.Equal((null, "forged"), await mine.ValidateAsync(theirs.Create(VisitorId, "www.example.com", "shop.example.org"), "shop.example.org"));
    }

    [Fact]
    public async Task A_link_from_another_key_ring_is_forged()
    {
        var other = new CrossDomainTokens(Options(null), new EphemeralDataProtectionProvider(), _time, Used(Options(null)));

        Assert.Equal((null, "forged"), await Tokens(null).ValidateAsync(other.Create(VisitorId, "www.example.com", "shop.example.org"), "shop.example.org"));
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task A_link_from_a_host_that_is_not_a_sister_is_refused(string? sharedKey)
    {
        var tokens = Tokens(sharedKey);

        Assert.Equal((null, "unknown-domain"), await tokens.ValidateAsync(tokens.Create(VisitorId, "evil.example.net", "shop.example.org"), "shop.example.org"));
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task A_link_made_for_another_host_is_refused(string? sharedKey)
    {
        var tokens = Tokens(sharedKey);

        Assert.Equal((null, "wrong-host"), await tokens.ValidateAsync(tokens.Create(VisitorId, "www.example.com", "blog.example.org"), "shop.example.org"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 at all!")]
    [InlineData("abc.def")]
    public async Task Garbage_is_refused_without_throwing(string? token)
    {
        Assert.Null((await Tokens(null).ValidateAsync(token, "shop.example.org")).VisitorId);
        Assert.Null((await Tokens(SharedKey).ValidateAsync(token, "shop.example.org")).VisitorId);
    }

    [Fact]
    public async Task An_oversized_parameter_is_malformed()
        => Assert.Equal((null, "malformed"), await Tokens(null).ValidateAsync(new string('a', 5000), "shop.example.org"));

    private CrossDomainTokens Tokens(string? sharedKey) => new(Options(sharedKey), _keys, _time, Used(Options(sharedKey)));

    private UsedLinkTokens Used(IOptions<FirstPartyOptions> options)
        => new(options, _time, new FirstPartyMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>()), NullLogger<UsedLinkTokens>.Instance);

    private static IOptions<FirstPartyOptions> Options(string? sharedKey)
        => Microsoft.Extensions.Options.Options.Create(new FirstPartyOptions
        {
            Linking = { Domains = ["www.example.com", "shop.example.org"], SharedKey = sharedKey },
        });
}
