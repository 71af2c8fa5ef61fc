using System.Net.Sockets;
using System.Text;
using FirstParty.AspNetCore.Linking;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FirstParty.AspNetCore.Tests.Linking;

/// <summary>
/// The redirect that strips the link parameter, behind Kestrel with raw request targets: HttpClient
/// and TestServer normalise paths such as <c>//evil.example/</c> before the app sees them, a
/// browser-driven attacker does not.
/// </summary>
public sealed class CrossDomainLinkRedirectKestrelTests : IAsyncLifetime
{
    private const string SisterHost = "shop.example.org";
    private IHost _host = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        (_host, _address) = await KestrelTestHost.StartAsync(
            [
                // OptOut: the visitor cookie is allowed without a decision, so a valid link is adopted.
                KeyValuePair.Create<string, string?>("FirstParty:Consent:Regime", "OptOut"),
                KeyValuePair.Create<string, string?>("FirstParty:Linking:Domains:0", "www.example.com"),
                KeyValuePair.Create<string, string?>("FirstParty:Linking:Domains:1", SisterHost),
            ],
            e =>
            {
                e.MapFirstParty();
                e.MapFallback((HttpContext c) => c.Response.WriteAsync("page"));
            });
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    [Theory]
    [InlineData("//evil.example/?_fpl=x")]
    [InlineData("//evil.example?_fpl=x")]
    [InlineData("//evil.example/path?a=1&_fpl=x")]
    [InlineData("/x/../..//evil.example/?_fpl=x")]
    [InlineData("///evil.example/?_fpl=x")]
    [InlineData("/%2F%2Fevil.example/?_fpl=x")]
    [InlineData("/%2F/evil.example/?_fpl=x")]
    [InlineData("/%5Cevil.example/?_fpl=x")]
    public async Task A_link_parameter_on_a_path_that_is_not_local_redirects_to_the_root(string target)
    {
        var response = await SendAsync(target);

        Assert.Equal(302, response.Status);
        Assert.Equal("/", response.Header("Location"));
    }

    [Fact]
    public async Task A_valid_link_is_adopted_and_redirects_to_the_clean_local_url()
    {
        const string visitorId = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
        var token = _host.Services.GetRequiredService<CrossDomainTokens>().Create(visitorId, "www.example.com", SisterHost);

        var response = await SendAsync($"/Menu?table=4&_fpl={Uri.EscapeDataString(token)}");

        Assert.Equal(302, response.Status);
        Assert.Equal("/Menu?table=4", response.Header("Location"));
        Assert.Contains(response.Headers, h => h.Name == "Set-Cookie" && h.Value.StartsWith("_fp_id=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_local_path_keeps_its_path_and_other_parameters()
    {
        var response = await SendAsync("/a//b/?q=1&_fpl=x");

        Assert.Equal(302, response.Status);
        Assert.Equal("/a//b/?q=1", response.Header("Location"));
    }

    private async Task<RawHttpResponse> SendAsync(string target)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_address.Host, _address.Port);
        var stream = tcp.GetStream();
        var request = $"GET {target} HTTP/1.1\r\nHost: {SisterHost}\r\nAccept: text/html,application/xhtml+xml\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var text = await reader.ReadToEndAsync();
        return RawHttpResponse.Parse(text);
    }

    private sealed record RawHttpResponse(int Status, IReadOnlyList<(string Name, string Value)> Headers)
    {
        public string? Header(string name) => Headers.SingleOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

        public static RawHttpResponse Parse(string text)
        {
            var head = text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n");
            var status = int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            var headers = head.Skip(1).Select(line =>
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                return (line[..colon], line[(colon + 1)..].Trim());
            }).ToList();
            return new RawHttpResponse(status, headers);
        }
    }
}
