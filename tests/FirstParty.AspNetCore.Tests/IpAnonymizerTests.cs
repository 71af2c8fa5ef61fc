using System.Net;
using FirstParty.AspNetCore.Internal;

namespace FirstParty.AspNetCore.Tests;

public sealed class IpAnonymizerTests
{
    [Theory]
    [InlineData("203.0.113.77", "203.0.113.0")]
    [InlineData("198.51.100.255", "198.51.100.0")]
    [InlineData("10.1.2.3", "10.1.2.0")]
    [InlineData("203.0.113.0", "203.0.113.0")]
    public void An_IPv4_address_keeps_its_24_bit_network(string address, string expected)
        => Assert.Equal(expected, IpAnonymizer.Anonymize(IPAddress.Parse(address)));

    [Theory]
    [InlineData("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::")]
    [InlineData("2001:db8:abcd:ffff:ffff:ffff:ffff:ffff", "2001:db8:abcd::")]
    [InlineData("2a00:1450:4007:80e::200e", "2a00:1450:4007::")]
    public void An_IPv6_address_keeps_its_48_bit_network(string address, string expected)
        => Assert.Equal(expected, IpAnonymizer.Anonymize(IPAddress.Parse(address)));

    [Fact]
    public void An_IPv4_mapped_IPv6_address_is_anonymised_as_IPv4()
    {
        var mapped = IPAddress.Parse("203.0.113.77").MapToIPv6();
        Assert.True(mapped.IsIPv4MappedToIPv6);

        Assert.Equal("203.0.113.0", IpAnonymizer.Anonymize(mapped));
        Assert.Equal("203.0.113.0", IpAnonymizer.Anonymize(IPAddress.Parse("::ffff:203.0.113.77")));
    }

    [Fact]
    public void No_address_gives_null()
        => Assert.Null(IpAnonymizer.Anonymize(null));

    [Fact]
    public void Loopback_addresses_keep_only_their_network()
    {
        Assert.Equal("127.0.0.0", IpAnonymizer.Anonymize(IPAddress.Loopback));
        Assert.Equal("::", IpAnonymizer.Anonymize(IPAddress.IPv6Loopback));
    }

    [Fact]
    public void The_scope_of_a_link_local_address_is_dropped_with_the_host()
        => Assert.Equal("fe80::", IpAnonymizer.Anonymize(IPAddress.Parse("fe80::1234:5678:9abc:def0%3")));

    [Fact]
    public void The_anonymised_address_never_contains_the_host_part()
    {
        var address = IPAddress.Parse("2001:db8:abcd:12:1:2:3:4");
        var anonymised = IPAddress.Parse(IpAnonymizer.Anonymize(address)!);

        var bytes = anonymised.GetAddressBytes();
        Assert.Equal(address.GetAddressBytes()[..6], bytes[..6]);
        Assert.All(bytes[6..], b => Assert.Equal(0, b));
    }
}
