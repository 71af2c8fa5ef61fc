using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RazorPagesSample.Data;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>
/// A redeploy of the sample: a browser decides on one host, the host stops, a new host starts on the
/// same database (and nothing else: no key folder is shared) and must know the browser.
/// </summary>
internal static class SampleRestart
{
    public static async Task The_restarted_host_knows_the_visitor_its_predecessor_minted(string provider, string connectionString, string folder)
    {
        var browser = new SampleBrowser();
        System.Text.Json.JsonElement before;
        List<string> storedKeys;
        await using (var first = SampleHost.Create(provider, connectionString, Path.Combine(folder, "before")))
        {
            var host = SampleHost.Client(first);
            Assert.Equal(HttpStatusCode.OK, await browser.ChooseAsync(host, "accept-all"));
            before = await browser.StateAsync(host);
            await using var scope = first.Services.CreateAsyncScope();
            storedKeys = await scope.ServiceProvider.GetRequiredService<SampleDbContext>().DataProtectionKeys
                .Select(k => k.FriendlyName!).ToListAsync();
        }

        // The visitor cookie is signed with a key kept in the sample's own database.
        var visitorCookie = browser.Cookies["_fp_id"];
        // Format 3 carries the first byte of the key id as its hint.
        Assert.StartsWith("3", visitorCookie, StringComparison.Ordinal);
        var hint = Convert.ToHexStringLower(System.Buffers.Text.Base64Url.DecodeFromChars(visitorCookie.AsSpan(1)).AsSpan(0, 1));
        Assert.Contains(storedKeys, name => Guid.Parse(name["key-".Length..]).ToString("N").StartsWith(hint, StringComparison.Ordinal));

        await using var second = SampleHost.Create(provider, connectionString, Path.Combine(folder, "after"));
        var after = await browser.StateAsync(SampleHost.Client(second));

        Assert.True(after.GetProperty("decided").GetBoolean(), "The consent cookie of the first host still verifies.");
        Assert.Equal(before.GetProperty("consentId").GetString(), after.GetProperty("consentId").GetString());
        var visitorId = before.GetProperty("visitor").GetProperty("id").GetString();
        Assert.False(string.IsNullOrEmpty(visitorId));
        Assert.Equal(visitorId, after.GetProperty("visitor").GetProperty("id").GetString());

        var report = await second.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == "firstparty-key-ring");
        var keyRing = report.Entries["firstparty-key-ring"];
        Assert.Equal(HealthStatus.Healthy, keyRing.Status);
        Assert.Equal(true, keyRing.Data["persisted"]);
        Assert.Equal("EntityFrameworkCoreXmlRepository<SampleDbContext>", keyRing.Data["repository"]);
        Assert.True((int)keyRing.Data["keys"] >= 1);
    }
}
