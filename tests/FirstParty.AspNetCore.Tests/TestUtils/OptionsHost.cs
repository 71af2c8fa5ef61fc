using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests.TestUtils;

/// <summary>A bare host over in-memory configuration, for startup validation tests.</summary>
internal static class OptionsHost
{
    public static IHost Build(IEnumerable<KeyValuePair<string, string?>> configuration)
        => new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(configuration))
            .ConfigureServices((context, services) =>
            {
                services.AddFirstParty(context.Configuration.GetSection("FirstParty"));
                TestApp.UseInMemoryKeyRing(services, new InMemoryXmlRepository());
            })
            .Build();

    /// <summary>Starts a host with the settings and returns the validation failure it must stop with.</summary>
    public static async Task<OptionsValidationException> AssertStartFailsAsync(params (string Key, string? Value)[] settings)
    {
        using var host = Build(settings.Select(s => KeyValuePair.Create(s.Key, s.Value)));
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }
}
