using FirstParty.AspNetCore.Internal;
using System.Net;
using System.Security.Claims;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.TagHelpers;
using FirstParty.AspNetCore.Tests.TagHelpers;
using FirstParty.AspNetCore.Tests.TestUtils;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace FirstParty.AspNetCore.Tests.TrackingSnippets;

/// <summary>
/// A real DI container with FirstParty (default categories, a fixed CSP nonce, fake logging, an
/// in-memory key ring) plus whatever a test adds through the builder, and the plumbing to run
/// <see cref="TrackingSnippetTagHelper"/> by hand with <see cref="TagHelperTestContext.RunAsync(ITagHelper, string, TagHelperAttributeList?, string, TagMode, string)"/>.
/// </summary>
internal sealed class SnippetTestHost : IDisposable
{
    public const string Nonce = "n0nce-value";

    private readonly TagHelperTestContext _context;

    private SnippetTestHost(Action<FirstPartyOptions>? configure, Action<IFirstPartyBuilder>? add)
    {
        // The tag helper tests' container (test categories, in-memory key ring, fake clock), plus a
        // fixed nonce, fake logging and the test providers' plan.
        _context = TagHelperTestContext.Create(
            o =>
            {
                o.ScriptNonce = static _ => Nonce;
                configure?.Invoke(o);
            },
            add,
            services =>
            {
                services.AddFakeLogging();
                services.AddSingleton(Plan);
            });
    }

    public ServiceProvider Services => _context.Services;

    public FakeTimeProvider Time => _context.Time;

    /// <summary>What the custom test providers return, and the context they were last called with.</summary>
    public ScriptPlan Plan { get; } = new();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public ConsentPolicy Policy => _context.Policy;

    public static SnippetTestHost Create(Action<FirstPartyOptions>? configure = null, Action<IFirstPartyBuilder>? add = null)
        => new(configure, add);

    /// <summary>A GET for <c>https://shop.example{pathBase}/page</c> with the container's services.</summary>
    public DefaultHttpContext CreateHttpContext(string? pathBase = null) => _context.CreateHttpContext("/page", pathBase, userAgent: null);

    /// <summary>An opt-in decision granting exactly <paramref name="granted"/>.</summary>
    public void SetDecided(HttpContext http, params string[] granted)
    {
        var now = Time.GetUtcNow().ToUnixTimeSeconds();
        var record = new ConsentRecord(RandomIds.NewUuid(), Policy.Options.Revision, now, now + 86_400, ConsentSources.Custom, ConsentRegime.OptIn, null, granted);
        http.Features.Set<IConsentFeature>(new ConsentFeature(Policy, record, null, ConsentRegime.OptIn, null, false));
    }

    /// <summary>No decision yet under opt-in: nothing but the required category is granted.</summary>
    public void SetUndecided(HttpContext http)
        => http.Features.Set<IConsentFeature>(new ConsentFeature(Policy, null, null, ConsentRegime.OptIn, null, false));

    public static void SignIn(HttpContext http, string userId)
        => http.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId)], "test"));

    /// <summary>Runs <c>&lt;tracking-snippet provider="…" /&gt;</c> for the request.</summary>
    public Task<Rendered> RenderAsync(HttpContext http, string? provider)
    {
        var helper = ActivatorUtilities.CreateInstance<TrackingSnippetTagHelper>(Services);
        helper.Provider = provider;
        helper.ViewContext = TagHelperTestContext.ViewContextFor(http);
        var attributes = provider is null ? new TagHelperAttributeList() : new TagHelperAttributeList { { "provider", provider } };
        return TagHelperTestContext.RunAsync(helper, "tracking-snippet", attributes, string.Empty, TagMode.SelfClosing);
    }

    public void Dispose() => _context.Dispose();
}

/// <summary>One rendered <c>&lt;script&gt;</c>: its start tag's attributes (decoded, in order; null value = bare) and its text.</summary>
internal sealed record ScriptElement(IReadOnlyList<(string Name, string? Value)> Attributes, string Text, string StartTag)
{
    public string? this[string name] => Attributes.FirstOrDefault(a => a.Name == name).Value;

    public bool Has(string name) => Attributes.Any(a => a.Name == name);

    public int Count(string name) => Attributes.Count(a => a.Name == name);
}

internal static partial class Scripts
{
    /// <summary>Every script element of the rendered HTML, in order.</summary>
    public static IReadOnlyList<ScriptElement> Parse(string html)
    {
        var scripts = new List<ScriptElement>();
        foreach (Match match in ScriptRegex().Matches(html))
        {
            var attributes = AttributeRegex().Matches(match.Groups["attrs"].Value)
                .Select(a => (a.Groups["name"].Value, a.Groups["value"].Success ? WebUtility.HtmlDecode(a.Groups["value"].Value) : null))
                .ToList();
            scripts.Add(new ScriptElement(attributes, match.Groups["text"].Value, match.Groups["tag"].Value));
        }

        // Nothing outside the scripts.
        Assert.Equal(html, string.Concat(ScriptRegex().Matches(html).Select(m => m.Value)));
        return scripts;
    }

    /// <summary>The JSON argument at <paramref name="index"/> (0-based) of the first call to <paramref name="function"/> in the code.</summary>
    public static JsonNode? Argument(string code, string function, int index)
    {
        var start = code.IndexOf(function + "(", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no call to {function} in: {code}");
        var arguments = SplitArguments(code[(start + function.Length + 1)..]);
        return arguments[index] is "undefined" ? null : JsonNode.Parse(arguments[index]);
    }

    /// <summary>The raw argument texts of a call, split at top-level commas (strings and nesting respected).</summary>
    public static IReadOnlyList<string> SplitArguments(string afterParenthesis)
    {
        var arguments = new List<string>();
        var depth = 0;
        var inString = false;
        var start = 0;
        for (var i = 0; i < afterParenthesis.Length; i++)
        {
            var c = afterParenthesis[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{' or '[' or '(':
                    depth++;
                    break;
                case '}' or ']':
                    depth--;
                    break;
                case ')' when depth == 0:
                    arguments.Add(afterParenthesis[start..i]);
                    return arguments;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    arguments.Add(afterParenthesis[start..i]);
                    start = i + 1;
                    break;
            }
        }

        Assert.Fail("unterminated call: " + afterParenthesis);
        return arguments;
    }

    [GeneratedRegex("<script(?<attrs>[^>]*)>(?<text>.*?)</script>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ScriptRegex();

    [GeneratedRegex("\\s(?<name>[^\\s=>\"']+)(?:=\"(?<value>[^\"]*)\")?", RegexOptions.CultureInvariant)]
    private static partial Regex AttributeRegex();
}

/// <summary>What the custom providers of these tests return; shared through DI.</summary>
internal sealed class ScriptPlan
{
    public List<TrackingScript> Scripts { get; } = [];

    public string ConsentKey { get; set; } = "marketing";

    public TrackingContext? LastContext { get; set; }
}

/// <summary>A custom provider named with mixed case; returns <see cref="ScriptPlan.Scripts"/>.</summary>
internal sealed class AcmeProvider(ScriptPlan plan) : ITrackingSnippet
{
    public const string ProviderName = "Acme-Analytics";

    public string Name => ProviderName;

    public string ConsentKey => plan.ConsentKey;

    public IEnumerable<TrackingScript> GetScripts(TrackingContext context)
    {
        plan.LastContext = context;
        return [.. plan.Scripts];
    }
}

/// <summary>A custom provider with a built-in's name.</summary>
internal sealed class CustomGa4Provider : ITrackingSnippet
{
    public const string Code = "acmeGa4();";

    public string Name => "ga4";

    public string ConsentKey => "analytics";

    public IEnumerable<TrackingScript> GetScripts(TrackingContext context) => [new TrackingScript { Code = Code }];
}

/// <summary>A custom provider that is registered but renders nothing.</summary>
internal sealed class EmptyProvider : ITrackingSnippet
{
    public string Name => "empty";

    public string ConsentKey => "analytics";

    public IEnumerable<TrackingScript> GetScripts(TrackingContext context) => [];
}
