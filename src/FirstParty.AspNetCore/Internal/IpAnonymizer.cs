using System.Net;

namespace FirstParty.AspNetCore.Internal;

/// <summary>Keeps the network of a client address and drops the host: /24 for IPv4, /48 for IPv6.</summary>
internal static class IpAnonymizer
{
    public static string? Anonymize(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var length))
        {
            return null;
        }

        var keep = length == 4 ? 3 : 6;
        bytes[keep..length].Clear();
        return new IPAddress(bytes[..length]).ToString();
    }
}
