using System.Net;
using System.Text.Json;
using FirstParty.AspNetCore.Ledger;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using static FirstParty.AspNetCore.Tests.TestUtils.ConsentTestHelpers;

namespace FirstParty.AspNetCore.Tests.Ledger;

/// <summary>
/// The proof matches the decision, as a property: for random policies (categories with and without
/// services, sale/sharing or not, under each regime) and random sequences of decisions from every
/// source, the newest receipt's purposes (the export the privacy centre downloads, and the record the
/// ledger keeps) equal the categories and services the state endpoint reports, always.
/// </summary>
public sealed class ReceiptPurposesPropertyTests
{
    private const string ReceiptsPath = "/_fp/consent/receipts";
    private const string ApiPath = "/test/api";
    private const string GrantPath = "/test/grant-consent";
    private const string WithdrawApiPath = "/test/withdraw-api";
    private const int Steps = 14;

    private static readonly string[] OptionalCategoryKeys = ["preferences", "analytics", "marketing", "social"];
    private static readonly string[] ServiceNames = ["alpha", "beta", "gamma"];
    private static readonly string[] Regimes = ["OptIn", "OptOut", "Implied"];

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= 24; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task The_newest_receipt_lists_exactly_what_the_state_reports(int seed)
    {
        var random = new Random(seed);
        var policy = RandomPolicy(random);
        await using var app = await TestApp.StartAsync(o =>
        {
            foreach (var (key, value) in policy.Configuration)
            {
                o.Configuration[key] = value;
            }

            var previous = o.ConfigureServices;
            o.ConfigureServices = services =>
            {
                previous?.Invoke(services);
                services.AddSingleton<IStartupFilter, DecisionSourcesStartupFilter>();
            };
        });

        var jar = new CookieJar();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var sources = new List<string>();
        for (var step = 0; step < Steps; step++)
        {
            app.Time.Advance(TimeSpan.FromMinutes(1));
            var source = NextSource(random);
            sources.Add(source);
            var expectsReceipt = await DecideAsync(app, jar, random, policy, source);
            var context = $"seed {seed}, steps {string.Join(" > ", sources)}";

            // Receipts are told apart by id: the retention purge removes old ones as the clock moves on.
            var fresh = await NewReceiptsAsync(app, jar, seen);
            if (source == "grant-consent" && fresh.Count == 0)
            {
                // ITrackingConsentFeature.GrantConsent hands its receipt over without waiting.
                await Poll.UntilAsync(async () => (fresh = await NewReceiptsAsync(app, jar, seen)).Count > 0, context);
            }

            if (!expectsReceipt)
            {
                Assert.True(fresh.Count == 0, $"{context}: no receipt expected, found {fresh.Count}.");
                continue;
            }

            Assert.True(fresh.Count == 1, $"{context}: expected one new receipt, found {fresh.Count}.");
            var state = (await app.GetStateAsync(jar)).Json();
            Assert.True(state.GetProperty("decided").GetBoolean(), context);
            var expected = Expected(state);

            var exported = fresh[0];
            Assert.Equal(state.GetProperty("consentId").GetString(), exported.GetProperty("consentId").GetString());
            Assert.Equal(state.GetProperty("source").GetString(), exported.GetProperty("collectionMethod").GetString());
            var exportedPurposes = exported.GetProperty("purposes").EnumerateArray()
                .Select(p => (p.GetProperty("purpose").GetString()!, p.GetProperty("status").GetString() == "granted"))
                .ToList();
            AssertSamePurposes(expected, exportedPurposes, $"{context} (export)");

            var writer = app.Services.GetRequiredService<ConsentLedgerWriter>();
            var kept = (await writer.FindAsync(ReceiptSubject.Consent(state.GetProperty("consentId").GetString()!)))
                .Single(r => r.ReceiptId == exported.GetProperty("recordId").GetString());
            AssertSamePurposes(
                expected,
                [.. kept.Granted.Select(k => (k, true)), .. kept.Denied.Select(k => (k, false))],
                $"{context} (ledger record)");
        }
    }

    private static void AssertSamePurposes(Dictionary<string, bool> expected, List<(string Key, bool Granted)> actual, string context)
    {
        Assert.True(
            actual.Count == actual.Select(p => p.Key).Distinct(StringComparer.Ordinal).Count(),
            $"{context}: a purpose is listed twice: {string.Join(", ", actual)}");
        var actualMap = actual.ToDictionary(p => p.Key, p => p.Granted, StringComparer.Ordinal);
        var differences = expected.Keys.Union(actualMap.Keys)
            .Where(k => !expected.TryGetValue(k, out var e) || !actualMap.TryGetValue(k, out var a) || e != a)
            .Select(k => $"{k}: state {(expected.TryGetValue(k, out var e) ? e : "absent")}, receipt {(actualMap.TryGetValue(k, out var a) ? a : "absent")}")
            .ToList();
        Assert.True(differences.Count == 0, $"{context}: {string.Join("; ", differences)}");
    }

    private static Dictionary<string, bool> Expected(JsonElement state)
    {
        var expected = state.Categories();
        foreach (var service in state.GetProperty("services").EnumerateObject())
        {
            expected[service.Name] = service.Value.GetBoolean();
        }

        return expected;
    }

    /// <summary>This browser's receipts (the privacy centre's download) not seen before; marks them seen.</summary>
    private static async Task<List<JsonElement>> NewReceiptsAsync(TestApp app, CookieJar jar, HashSet<string> seen)
    {
        var response = await app.SendRawAsync(HttpMethod.Get, ReceiptsPath + "?download", jar);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return [.. response.Json().GetProperty("records").EnumerateArray().Where(r => seen.Add(r.GetProperty("recordId").GetString()!))];
    }

    private static string NextSource(Random random)
    {
        string[] sources = ["accept-all", "reject-all", "custom", "custom-services-of", "withdraw", "api", "withdraw-api", "grant-consent", "gpc", "expiry", "allow-once"];
        return sources[random.Next(sources.Length)];
    }

    /// <summary>Makes one decision from <paramref name="source"/>; true when it must leave a receipt.</summary>
    private static async Task<bool> DecideAsync(TestApp app, CookieJar jar, Random random, RandomPolicyModel policy, string source)
    {
        switch (source)
        {
            case "accept-all":
            case "reject-all":
            case "withdraw":
                Assert.Equal(HttpStatusCode.SeeOther, (await app.ChooseAsync(jar, source)).Status);
                return true;
            case "custom":
                Assert.Equal(HttpStatusCode.SeeOther, (await app.ChooseAsync(jar, "custom", categories: Subset(random, policy.OptionalCategories))).Status);
                return true;
            case "custom-services-of":
            {
                // The preferences form: categories ticked, and for categories with services, each service.
                var fields = new List<KeyValuePair<string, string>> { new("choice", "custom") };
                fields.AddRange(Subset(random, policy.OptionalCategories).Select(c => new KeyValuePair<string, string>("category", c)));
                foreach (var (category, services) in policy.Services.Where(s => s.Value.Count > 0 && random.Next(3) > 0))
                {
                    fields.Add(new("services-of", category));
                    fields.AddRange(Subset(random, services).Select(s => new KeyValuePair<string, string>("service", s)));
                }

                Assert.Equal(HttpStatusCode.SeeOther, (await app.PostFormAsync(jar, fields)).Status);
                return true;
            }

            case "api":
            {
                var keys = Subset(random, [.. policy.OptionalCategories, .. policy.Services.SelectMany(s => s.Value)]);
                var response = await app.BrowseAsync($"{ApiPath}?{string.Join('&', keys.Select(k => "key=" + Uri.EscapeDataString(k)))}", jar);
                Assert.Equal(HttpStatusCode.OK, response.Status);
                return true;
            }

            case "withdraw-api":
                Assert.Equal(HttpStatusCode.OK, (await app.BrowseAsync(WithdrawApiPath, jar)).Status);
                return true;
            case "grant-consent":
                Assert.Equal(HttpStatusCode.OK, (await app.BrowseAsync(GrantPath, jar)).Status);
                return true;
            case "gpc":
            {
                // The signal records a decision only when it refuses something no decision records
                // yet (the rule has its own tests); whenever it does, that decision has its receipt.
                var before = (await app.GetStateAsync(jar)).Json();
                var response = await app.BrowseAsync("/", jar, r => r.Headers.TryAddWithoutValidation("Sec-GPC", "1"));
                Assert.Equal(HttpStatusCode.OK, response.Status);
                var after = (await app.GetStateAsync(jar)).Json();
                return after.GetProperty("decidedAt").ToString() != before.GetProperty("decidedAt").ToString();
            }

            case "expiry":
                // The decision expires: the next decision is asked for again and recorded anew.
                app.Time.Advance(TimeSpan.FromDays(400));
                Assert.False((await app.GetStateAsync(jar)).Json().GetProperty("decided").GetBoolean());
                Assert.Equal(HttpStatusCode.SeeOther, (await app.ChooseAsync(jar, "custom", categories: Subset(random, policy.OptionalCategories))).Status);
                return true;
            case "allow-once":
            {
                var keys = policy.OptionalCategories.Concat(policy.Services.SelectMany(s => s.Value)).ToList();
                var response = await app.PostFormAsync(jar, [new("choice", "once"), new("allow", keys[random.Next(keys.Count)])]);
                Assert.Equal(HttpStatusCode.SeeOther, response.Status);
                return false;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(source), source, null);
        }
    }

    private static string[] Subset(Random random, IReadOnlyList<string> keys)
        => [.. keys.Where(_ => random.Next(2) == 0)];

    private static RandomPolicyModel RandomPolicy(Random random)
    {
        var configuration = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var regime = Regimes[random.Next(Regimes.Length)];
        configuration["FirstParty:Consent:Regime"] = regime;
        configuration["FirstParty:Consent:HonorGlobalPrivacyControl"] = "true";

        var optional = OptionalCategoryKeys.Where(_ => random.Next(3) > 0).ToList();
        if (optional.Count == 0)
        {
            optional.Add(OptionalCategoryKeys[random.Next(OptionalCategoryKeys.Length)]);
        }

        var all = new List<string> { "necessary" };
        all.AddRange(optional);
        var services = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var saleOrSharing = new List<string>();
        for (var i = 0; i < all.Count; i++)
        {
            var key = all[i];
            var prefix = $"FirstParty:Consent:Categories:{i}";
            configuration[$"{prefix}:Key"] = key;
            configuration[$"{prefix}:Required"] = (i == 0).ToString();
            if (i > 0 && random.Next(3) == 0)
            {
                configuration[$"{prefix}:SaleOrSharing"] = "true";
                saleOrSharing.Add(key);
            }

            var names = ServiceNames.Where(_ => random.Next(2) == 0).ToList();
            for (var j = 0; j < names.Count; j++)
            {
                configuration[$"{prefix}:Services:{j}:Key"] = names[j];
            }

            services[key] = [.. names.Select(n => $"{key}/{n}")];
        }

        configuration["FirstParty:Visitor:Category"] = optional[0];
        return new RandomPolicyModel(regime, configuration, optional, services, saleOrSharing);
    }

    private sealed record RandomPolicyModel(
        string Regime,
        Dictionary<string, string?> Configuration,
        IReadOnlyList<string> OptionalCategories,
        Dictionary<string, IReadOnlyList<string>> Services,
        IReadOnlyList<string> SaleOrSharing);

    /// <summary>The server-code decision sources: IConsentService and ITrackingConsentFeature.</summary>
    private sealed class DecisionSourcesStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(async context =>
            {
                var service = context.RequestServices.GetRequiredService<IConsentService>();
                switch (context.Request.Path.Value)
                {
                    case ApiPath:
                        await service.SetAsync(context, context.Request.Query["key"].Select(k => k!));
                        break;
                    case WithdrawApiPath:
                        await service.WithdrawAsync(context);
                        break;
                    case GrantPath:
                        context.Features.Get<ITrackingConsentFeature>()!.GrantConsent();
                        break;
                    default:
                        context.Response.StatusCode = StatusCodes.Status404NotFound;
                        return;
                }

                await context.Response.WriteAsync("ok");
            });
        };
    }
}
