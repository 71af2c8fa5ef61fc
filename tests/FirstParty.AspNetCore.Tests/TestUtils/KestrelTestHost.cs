using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Tests.TestUtils;

/// <summary>
/// FirstParty behind real Kestrel on 127.0.0.1 (a free port), for what TestServer hides: raw request
/// targets, and Kestrel's own header rules.
/// </summary>
internal static class KestrelTestHost
{
    public static async Task<(IHost Host, Uri Address)> StartAsync(IEnumerable<KeyValuePair<string, string?>> configuration, Action<IEndpointRouteBuilder> map)
    {
        var host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(configuration))
            .ConfigureLogging(l => l.ClearProviders())
            .ConfigureWebHost(web => web
                .UseKestrel()
                .UseUrls("http://127.0.0.1:0")
                .ConfigureServices((context, services) =>
                {
                    services.AddRouting();
                    services.AddFirstParty(context.Configuration.GetSection("FirstParty"));
                    TestApp.UseInMemoryKeyRing(services, new InMemoryXmlRepository());
                })
                .Configure(app =>
                {
                    app.UseRouting();
                    app.UseFirstParty();
                    app.UseEndpoints(map);
                }))
            .Build();
        await host.StartAsync();
        return (host, new Uri(host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));
    }
}
