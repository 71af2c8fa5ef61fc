using System.Net;
using FirstParty.AspNetCore.Collector;
using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>What a vendor learns of the visitor's address and browser.</summary>
public sealed class CollectorClientInfoTests
{
    private static DefaultHttpContext Context(string? address, string? userAgent = null, string? forwardedFor = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = address is null ? null : IPAddress.Parse(address);
        if (userAgent is not null)
        {
            context.Request.Headers.UserAgent = userAgent;
        }

        if (forwardedFor is not null)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        return context;
    }

    [Theory]
    [InlineData("203.0.113.77", IpForwarding.Full, "203.0.113.77")]
    [InlineData("203.0.113.77", IpForwarding.Anonymized, "203.0.113.0")]
    [InlineData("203.0.113.77", IpForwarding.None, null)]
    [InlineData("::ffff:203.0.113.77", IpForwarding.Full, "203.0.113.77")]
    [InlineData("::ffff:203.0.113.77", IpForwarding.Anonymized, "203.0.113.0")]
    [InlineData("2001:db8:85a3:1234:8a2e:370:7334:1", IpForwarding.Anonymized, "2001:db8:85a3::")]
    [InlineData(null, IpForwarding.Full, null)]
    public void The_address_is_the_connection_s_reduced_as_configured(string? address, IpForwarding forwarding, string? expected)
        => Assert.Equal(expected, CollectorClientInfo.Ip(Context(address), forwarding));

    [Fact]
    public void A_client_supplied_forwarded_for_header_is_never_the_address()
        => Assert.Equal("198.51.100.9", CollectorClientInfo.Ip(Context("198.51.100.9", forwardedFor: "1.2.3.4"), IpForwarding.Full));

    [Theory]
    [InlineData(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.0 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.0")]
    [InlineData(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_0_0) AppleWebKit/605.0.0 (KHTML, like Gecko) Version/17.0.0 Safari/605.0.0")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")]
    public void A_reduced_user_agent_keeps_products_and_major_versions(string full, string reduced)
    {
        Assert.Equal(reduced, CollectorClientInfo.UserAgent(Context("1.1.1.1", full), UserAgentForwarding.Reduced));
        Assert.Equal(full, CollectorClientInfo.UserAgent(Context("1.1.1.1", full), UserAgentForwarding.Full));
        Assert.Null(CollectorClientInfo.UserAgent(Context("1.1.1.1", full), UserAgentForwarding.None));
    }

    [Fact]
    public void A_user_agent_with_control_characters_or_none_is_not_forwarded()
    {
        Assert.Null(CollectorClientInfo.UserAgent(Context("1.1.1.1", "bad\u0001agent"), UserAgentForwarding.Full));
        Assert.Null(CollectorClientInfo.UserAgent(Context("1.1.1.1"), UserAgentForwarding.Full));
    }
}
