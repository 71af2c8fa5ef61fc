using System.Net;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// Sends the collector's requests to the vendors' APIs through the named client
/// <see cref="CollectorOptions.HttpClientName"/> of <see cref="IHttpClientFactory"/>, so an app can
/// add handlers, a proxy or resilience to it. Its primary handler keeps no cookies (an upstream's
/// <c>Set-Cookie</c> must never reach another visitor's request) and follows no redirects; a request
/// gives up after <see cref="CollectorOptions.UpstreamTimeout"/>.
/// </summary>
internal sealed class CollectorUpstreamClient : IDisposable
{
    private readonly IHttpClientFactory? _factory;
    private readonly HttpClient? _own;
    private readonly TimeSpan _timeout;

    public CollectorUpstreamClient(IHttpClientFactory factory, IOptions<FirstPartyOptions> options)
    {
        _factory = factory;
        _timeout = options.Value.Collector.UpstreamTimeout;
    }

    /// <summary>A client over one handler (tests).</summary>
    internal CollectorUpstreamClient(HttpMessageHandler handler, IOptions<FirstPartyOptions> options)
    {
        _timeout = options.Value.Collector.UpstreamTimeout;
        _own = new HttpClient(handler) { Timeout = _timeout };
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
    {
        var client = _own ?? _factory!.CreateClient(CollectorOptions.HttpClientName);
        if (_own is null)
        {
            client.Timeout = _timeout;
        }

        return client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    public void Dispose() => _own?.Dispose();
}
