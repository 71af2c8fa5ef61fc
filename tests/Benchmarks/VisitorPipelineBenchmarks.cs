using BenchmarkDotNet.Attributes;
using FirstParty.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Benchmarks;

/// <summary>
/// One request through each pipeline. Targets (issue 15, docs/benchmarks.md): a returning visitor at
/// most +0.5 us and +128 B over a bare app given the same request (<see cref="BareWithCookies"/>), a
/// new visitor at most +2 us and +1 KB over <see cref="Bare"/>.
/// </summary>
[MemoryDiagnoser]
public class VisitorPipelineBenchmarks
{
    private BenchmarkHost _bare = null!;
    private BenchmarkHost _cookiePolicy = null!;
    private BenchmarkHost _firstParty = null!;
    private BenchmarkHost _firstPartyOptIn = null!;
    private BenchmarkHost _withProfiles = null!;
    private BenchmarkHost _withProfilesImplied = null!;
    private string _returningCookies = null!;
    private string _profilesReturning = null!;
    private string _cookiePolicyReturning = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bare = new BenchmarkHost(static _ => { }, static _ => { });
        _cookiePolicy = new BenchmarkHost(
            static services => services.Configure<CookiePolicyOptions>(static o => o.MinimumSameSitePolicy = SameSiteMode.Lax),
            static app =>
            {
                app.UseCookiePolicy();
                app.Use(static (context, next) =>
                {
                    // The hand-written alternative: a GUID cookie, no integrity, no sessions.
                    if (!context.Request.Cookies.ContainsKey("vid"))
                    {
                        context.Response.Cookies.Append("vid", Guid.NewGuid().ToString("D"), new CookieOptions
                        {
                            HttpOnly = true,
                            IsEssential = true,
                            MaxAge = TimeSpan.FromDays(395),
                        });
                    }

                    return next(context);
                });
            });
        // A new visitor where consent is implied mints without a decision; a returning visitor
        // under OptIn carries its consent cookie beside the visitor and session cookies.
        _firstParty = new BenchmarkHost(
            static services => services.AddFirstParty(static o => o.Consent.Regime = ConsentRegime.Implied),
            static app => app.UseFirstParty());
        _firstPartyOptIn = new BenchmarkHost(static services => services.AddFirstParty(), static app => app.UseFirstParty());
        _returningCookies = _firstPartyOptIn.MintConsentedCookieHeaderAsync().GetAwaiter().GetResult();

        // The same returning visitor with the three provider profiles: its SDK cookies are present,
        // so a page that does not refresh the visitor writes none of them.
        _withProfiles = new BenchmarkHost(
            static services => services.AddFirstParty().AddSnowplow().AddAmplitude(static o => o.ApiKey = "a1b2c3d4e5f60718293a4b5c6d7e8f90").AddGoogleAnalytics(),
            static app => app.UseFirstParty());
        var consented = _withProfiles.MintConsentedCookieHeaderAsync().GetAwaiter().GetResult();
        var first = _withProfiles.SendAsync(consented).GetAwaiter().GetResult();
        _profilesReturning = consented + "; " + string.Join("; ", first.Response.Headers.SetCookie.Select(static c => c![..c!.IndexOf(';', StringComparison.Ordinal)]).Where(static c => !c.StartsWith("_fp_", StringComparison.Ordinal)));
        // A new visitor with the three profiles where consent is implied: every SDK cookie is minted.
        _withProfilesImplied = new BenchmarkHost(
            static services => services.AddFirstParty(static o => o.Consent.Regime = ConsentRegime.Implied).AddSnowplow().AddAmplitude(static o => o.ApiKey = "a1b2c3d4e5f60718293a4b5c6d7e8f90").AddGoogleAnalytics(),
            static app => app.UseFirstParty());
        _cookiePolicyReturning = _cookiePolicy.MintCookieHeaderAsync().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "Bare pipeline")]
    public Task<HttpContext> Bare() => _bare.SendAsync(null);

    /// <summary>
    /// The bare pipeline given the request a returning visitor's browser sends (its three cookies):
    /// the fair baseline for a returning visitor, since the request's headers cost the same whoever
    /// reads them.
    /// </summary>
    [Benchmark(Description = "Bare pipeline, returning browser's request")]
    public Task<HttpContext> BareWithCookies() => _bare.SendAsync(_returningCookies);

    [Benchmark(Description = "CookiePolicy + hand-written cookie, returning")]
    public Task<HttpContext> CookiePolicyReturning() => _cookiePolicy.SendAsync(_cookiePolicyReturning);

    [Benchmark(Description = "CookiePolicy + hand-written cookie, new")]
    public Task<HttpContext> CookiePolicyNew() => _cookiePolicy.SendAsync(null);

    [Benchmark(Description = "FirstParty, returning visitor with consent")]
    public Task<HttpContext> ReturningVisitor() => _firstPartyOptIn.SendAsync(_returningCookies);

    [Benchmark(Description = "FirstParty + Snowplow, Amplitude, GA4 profiles, returning visitor")]
    public Task<HttpContext> ReturningVisitorWithProfiles() => _withProfiles.SendAsync(_profilesReturning);

    [Benchmark(Description = "FirstParty, new visitor")]
    public Task<HttpContext> NewVisitor() => _firstParty.SendAsync(null);

    [Benchmark(Description = "FirstParty + Snowplow, Amplitude, GA4 profiles, new visitor")]
    public Task<HttpContext> NewVisitorWithProfiles() => _withProfilesImplied.SendAsync(null);
}
