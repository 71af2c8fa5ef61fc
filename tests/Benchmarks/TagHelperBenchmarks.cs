using BenchmarkDotNet.Attributes;
using FirstParty.AspNetCore;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.OutputCaching;
using FirstParty.AspNetCore.TagHelpers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;

namespace Benchmarks;

/// <summary>
/// What the consent tag helpers add to a page render for a returning visitor who decided: a gated
/// script (granted and refused), the banner tag helper when no banner is needed (configuration and
/// assets only), the Consent Mode script, and the output-cache key. Budget: each under 5 us.
/// </summary>
[MemoryDiagnoser]
public class TagHelperBenchmarks
{
    private static readonly TagHelperContext Context = new([], new Dictionary<object, object>(), "id");
    private ViewContext _decided = null!;
    private ViewContext _refused = null!;
    private ConsentPolicy _policy = null!;
    private IConsentFeature _consent = null!;
    private ConsentModeScript _consentMode = null!;

    [GlobalSetup]
    public void Setup()
    {
        var host = new BenchmarkHost(
            static services =>
            {
                services.AddFirstParty(static o =>
                {
                    o.Providers.Snowplow.ScriptUrl = "/sdk/snowplow/index.umd.min.js";
                    o.Providers.Snowplow.CollectorUrl = "/collector";
                    o.Providers.Amplitude.ApiKey = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
                    o.Providers.Amplitude.ScriptUrl = "/sdk/amplitude/amplitude-min.umd.js";
                }).AddSnowplow().AddAmplitude();
                services.AddMvcCore();
            },
            static app => app.UseFirstParty());
        var accepted = host.MintConsentedCookieHeaderAsync().GetAwaiter().GetResult();
        _decided = new ViewContext { HttpContext = host.SendAsync(accepted).GetAwaiter().GetResult() };
        _refused = new ViewContext { HttpContext = host.SendAsync(null).GetAwaiter().GetResult() };
        _policy = _decided.HttpContext.RequestServices.GetRequiredService<ConsentPolicy>();
        _consent = _decided.HttpContext.GetConsent()!;
        _consentMode = _decided.HttpContext.RequestServices.GetRequiredService<ConsentModeScript>();
    }

    [Benchmark(Description = "fp-consent script, granted")]
    public Task GatedScriptGranted() => Gate(_decided);

    [Benchmark(Description = "fp-consent script, not granted")]
    public Task GatedScriptRefused() => Gate(_refused);

    [Benchmark(Description = "<tracking-snippet provider=\"snowplow\" />, granted")]
    public TagHelperOutput SnowplowSnippet() => Snippet("snowplow");

    [Benchmark(Description = "<tracking-snippet provider=\"amplitude\" />, granted")]
    public TagHelperOutput AmplitudeSnippet() => Snippet("amplitude");

    private TagHelperOutput Snippet(string provider)
    {
        var services = _decided.HttpContext.RequestServices;
        var output = Output("tracking-snippet");
        new TrackingSnippetTagHelper(
            services.GetServices<ITrackingSnippet>(),
            services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FirstPartyOptions>>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<TrackingSnippetTagHelper>.Instance)
        { Provider = provider, ViewContext = _decided }.Process(Context, output);
        return output;
    }

    [Benchmark(Description = "<consent-banner />, decided (no banner)")]
    public async Task<TagHelperOutput> BannerWhenDecided()
    {
        var output = Output("consent-banner");
        await new ConsentBannerTagHelper { ViewContext = _decided }.ProcessAsync(Context, output);
        return output;
    }

    [Benchmark(Description = "<consent-mode /> script")]
    public string ConsentMode() => _consentMode.Render(_consent);

    [Benchmark(Description = "Output-cache consent key")]
    public string CacheKey() => ConsentOutputCachePolicy.Fingerprint(_consent, _policy);

    private static async Task<TagHelperOutput> Gate(ViewContext view)
    {
        var output = Output("script");
        output.Attributes.Add("src", "/js/analytics.js");
        output.Attributes.Add("fp-consent", "analytics");
        var texts = view.HttpContext.RequestServices.GetRequiredService<IStringLocalizer<ConsentTagHelper>>();
        await new ConsentTagHelper(texts) { Consent = "analytics", ViewContext = view }.ProcessAsync(Context, output);
        return output;
    }

    private static TagHelperOutput Output(string tag)
        => new(tag, [], static (_, _) => Task.FromResult<TagHelperContent>(new DefaultTagHelperContent()));
}
