using System.Net;
using System.Net.Http.Json;
using FirstParty.AspNetCore;
using FirstParty.AspNetCore.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Microsoft.AspNetCore.Mvc.Testing;

/// <summary>FirstParty helpers for <see cref="WebApplicationFactory{TEntryPoint}"/> tests.</summary>
public static class FirstPartyWebApplicationFactoryExtensions
{
    /// <summary>
    /// A client whose cookie jar already holds a consent decision granting
    /// <paramref name="grantedCategories"/> (none: a refusal), and whose GET requests are page
    /// loads, so visitor cookies are minted and kept as a browser would.
    /// </summary>
    public static HttpClient CreateClientWithConsent<TEntryPoint>(this WebApplicationFactory<TEntryPoint> factory, params string[] grantedCategories)
        where TEntryPoint : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        var cookies = new CookieContainer();
        var baseAddress = factory.ClientOptions.BaseAddress;
        var consent = ConsentCookies.Create(factory.Services, grantedCategories);
        var equals = consent.IndexOf('=', StringComparison.Ordinal);
        cookies.Add(baseAddress, new Cookie(consent[..equals], consent[(equals + 1)..], "/"));
        return factory.CreateDefaultClient(baseAddress, new CookieContainerHandler(cookies), new NavigationHandler());
    }

    /// <summary>A client with no consent decision yet whose GET requests are page loads.</summary>
    public static HttpClient CreateBrowserClient<TEntryPoint>(this WebApplicationFactory<TEntryPoint> factory)
        where TEntryPoint : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.CreateDefaultClient(factory.ClientOptions.BaseAddress, new CookieContainerHandler(), new NavigationHandler());
    }

    /// <summary>
    /// Replaces the app's <see cref="TimeProvider"/> with <paramref name="time"/>, so a test can move
    /// past session timeouts and consent expiry.
    /// </summary>
    public static IWebHostBuilder UseFakeTime(this IWebHostBuilder builder, FakeTimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(time);
        return builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(time);
        });
    }

    /// <summary>Reads the consent state from <c>GET {prefix}/consent</c>.</summary>
    public static async Task<ConsentState> GetConsentStateAsync(this HttpClient client, string pathPrefix = "/_fp")
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Get, pathPrefix + "/consent");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "empty");
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<ConsentState>().ConfigureAwait(false)
            ?? throw new InvalidOperationException("The consent endpoint answered with an empty body.");
    }
}
