using System.Net;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests;

/// <summary>
/// The consent endpoints behind Kestrel on 127.0.0.1, for what TestServer does not check: Kestrel
/// refuses response header values that are not ASCII.
/// </summary>
public sealed class ConsentEndpointsKestrelTests
{
    [Theory]
    [InlineData("/caf\u00e9?q=\u00fcber")]
    [InlineData("/\u65e5\u672c")]
    public async Task A_local_return_url_with_non_ascii_characters_redirects_instead_of_failing(string returnUrl)
    {
        var (host, address) = await KestrelTestHost.StartAsync(
            [KeyValuePair.Create<string, string?>("FirstParty:Consent:Regime", "OptIn")],
            e => e.MapFirstParty());
        using var disposeHost = host;
        try
        {
            var context = new DefaultHttpContext { RequestServices = host.Services };
            var tokens = host.Services.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
            var cookieName = host.Services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.Cookie.Name;

            using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = address };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/_fp/consent")
            {
                Content = new FormUrlEncodedContent(
                [
                    new("choice", "accept-all"),
                    new("returnUrl", returnUrl),
                    new("__RequestVerificationToken", tokens.RequestToken!),
                ]),
            };
            request.Headers.TryAddWithoutValidation("Cookie", $"{cookieName}={tokens.CookieToken}");
            using var response = await client.SendAsync(request);

            Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
            // Either the return URL percent-encoded, or the root if such URLs are refused.
            var location = Assert.Single(response.Headers.GetValues("Location"));
            Assert.True(location == "/" || Uri.UnescapeDataString(location) == returnUrl, $"Location was '{location}'.");
            Assert.True(System.Text.Ascii.IsValid(location));
            Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("_fp_consent=", StringComparison.Ordinal));
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
