using System.Net;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// The collector's HTTP client for the vendors' APIs: one pooled handler that keeps no cookies
/// (an upstream's <c>Set-Cookie</c> must never reach another visitor's request), follows no redirects
/// and gives up after <see cref="CollectorOptions.UpstreamTimeout"/>.
/// </summary>
internal sealed class CollectorUpstreamClient : IDisposable
{
    private readonly HttpClient _client;

    public CollectorUpstreamClient(IOptions<FirstPartyOptions> options)
        : this(CreateHandler(), options)
    {
    }

    internal CollectorUpstreamClient(HttpMessageHandler handler, IOptions<FirstPartyOptions> options)
    {
        _client = new HttpClient(handler) { Timeout = options.Value.Collector.UpstreamTimeout };
        _client.DefaultRequestHeaders.ExpectContinue = false;
    }

    internal static SocketsHttpHandler CreateHandler() => new()
    {
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.All,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        MaxConnectionsPerServer = 16,
        UseProxy = false,
    };

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);

    public void Dispose() => _client.Dispose();
}
