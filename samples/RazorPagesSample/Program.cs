using FirstParty.AspNetCore;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.FileProviders;
using RazorPagesSample.Analytics;
using RazorPagesSample.Data;
using Microsoft.AspNetCore.OutputCaching;
using NetEscapades.AspNetCore.SecurityHeaders;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddRazorPages();

// The consent texts come in French and German too: let Razor write accented letters as they are.
builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
    o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));

// Session and TempData keep working before consent: FirstParty declares ASP.NET Core's own
// cookies (antiforgery, session, TempData, sign-in) as necessary. On one instance the session and
// the used cross-domain link tokens live in memory; on a web farm set Redis:Configuration (for
// example "127.0.0.1:6379") and every instance sees them.
if (builder.Configuration["Redis:Configuration"] is { Length: > 0 } redis)
{
    builder.Services.AddStackExchangeRedisCache(o =>
    {
        o.Configuration = redis;
        o.InstanceName = "firstparty-sample:";
    });
}
else
{
    builder.Services.AddDistributedMemoryCache();
}

builder.Services.AddSession();

// Options come from the "FirstParty" section of appsettings.json; environment variables such as
// FirstParty__Visitor__CookieName override them.
// Every consent decision leaves a receipt in the sample's own database (an SQLite file under
// App_Data; PostgreSQL for a web farm, see SampleDatabase). Its migrations are applied at startup,
// which also upgrades a file made by an earlier version with EnsureCreated.
SampleDatabase.Configure(builder);
builder.Services.AddFirstParty(builder.Configuration.GetSection(FirstPartyOptions.SectionName))
    .AddEntityFrameworkCoreLedger<SampleDbContext>(ledger => ledger.MigrateAtStartup = true)

    // The analytics SDKs' own id cookies, written by the server from the visitor cookie once
    // analytics is allowed (settings under FirstParty:Providers).
    .AddSnowplow()
    .AddAmplitude()
    .AddGoogleAnalytics();

builder.Services.AddSingleton<CollectorStub>();

// Reports the ledger's queue, spill backlog and database reachability at /healthz/ledger, where the
// cookie keys are kept (degraded when a restart would lose them) at /healthz/key-ring,
// and the collector's delivery to each vendor at /healthz/collector.
builder.Services.AddHealthChecks().AddConsentLedger().AddFirstPartyKeyRing().AddFirstPartyCollector();

// A strict Content-Security-Policy (no 'unsafe-inline'): the tag helpers put the request's nonce on
// every inline and gated script they render.
builder.Services.Configure<FirstPartyOptions>(o => o.ScriptNonce = context => context.GetNonce());

// Pages marked [OutputCache(PolicyName = "consent")] are cached per consent state and language.
builder.Services.AddOutputCache(o => o.AddPolicy("consent", policy => policy.VaryByConsent().Expire(TimeSpan.FromMinutes(5))));

// Staff only: the consent insights page (/_fp/insights) requires the "FirstPartyStaff" policy.
// In Development a fixed staff user signs in at /Staff/SignIn; a real site uses its own sign-in.
// The page answers 401 (not signed in) and 403 (not staff) rather than redirecting.
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(o =>
    {
        o.LoginPath = "/Staff/SignIn";
        o.Events.OnRedirectToLogin = context => StaffOnly(context, StatusCodes.Status401Unauthorized);
        o.Events.OnRedirectToAccessDenied = context => StaffOnly(context, StatusCodes.Status403Forbidden);
    });
builder.Services.AddAuthorization(o => o.AddPolicy("FirstPartyStaff", policy => policy.RequireAuthenticatedUser().RequireRole(RazorPagesSample.Pages.Staff.SignInModel.StaffRole)));

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
    app.UseHsts();
}

app.UseSecurityHeaders(new HeaderPolicyCollection()
    .AddDefaultSecurityHeaders()
    .AddContentSecurityPolicy(csp =>
    {
        csp.AddDefaultSrc().Self();
        csp.AddScriptSrc().Self().WithNonce();
        csp.AddStyleSrc().Self();
        csp.AddFrameSrc().Self();
        csp.AddFrameAncestors().Self();
        csp.AddObjectSrc().None();
        csp.AddBaseUri().Self();
        csp.AddFormAction().Self();
    }));

app.UseStaticFiles();

// The analytics SDKs, self-hosted from the sample's npm packages (npm ci --prefix samples/RazorPagesSample).
ServeSdk(app, "/sdk/snowplow", "node_modules/@snowplow/browser-tracker/dist");
ServeSdk(app, "/sdk/amplitude", "node_modules/@amplitude/analytics-browser/lib/scripts");
ServeSdk(app, "/sdk/amplitude-js", "node_modules/amplitude-js");

// Consent texts follow the request's UI culture (?culture=fr, the culture cookie or Accept-Language).
string[] cultures = ["en", "fr", "de", "es", "it", "nl", "pl", "pt"];
app.UseRequestLocalization(o => o.SetDefaultCulture("en").AddSupportedCultures(cultures).AddSupportedUICultures(cultures));
app.UseRouting();
app.UseAuthentication();
app.UseFirstParty();
app.UseAuthorization();
app.UseOutputCache();
app.UseSession();

app.MapRazorPages();

// Consent endpoints: POST/GET/DELETE /_fp/consent, GET /_fp/consent/receipts, POST /_fp/forget,
// /.well-known/gpc.json.
app.MapFirstParty();

// A JSON view of what the server knows: not a navigation, so it reads the visitor but never writes cookies.
app.MapGet("/api/visitor", (HttpContext context) => context.GetVisitor() is { } visitor
    ? Results.Ok(new
    {
        visitor.VisitorId,
        visitor.FirstSeen,
        visitor.SessionId,
        visitor.SessionIndex,
        visitor.SessionStart,
        visitor.PreviousSessionId,
    })
    : Results.NoContent());

// Stands in for a third-party video player (a local page, so the sample runs offline).
app.MapGet("/embed/roasting", () => Results.Content("<!doctype html><title>Player</title><p>Video: how we roast</p>", "text/html"))
    .DisableVisitorCookies();

// The staff insights page: consent rates from the ledger, banner impressions and rescued SDK
// cookies, and data subject requests (find, export, erase), each recorded in the staff action log.
app.MapFirstPartyInsights("FirstPartyStaff");

// The same-origin collector (FirstParty:Collector): the snippets send the SDKs' events to /_fp/c/...,
// the server checks consent, puts its own ids in and forwards them without the visitor's IP.
app.MapFirstPartyCollector();

// The vendors' collectors behind it, stubbed so the sample runs offline (the Upstream settings point
// here); GET /collector/events shows what they received. Also the SDKs' direct endpoints when the
// collector is switched off (/collector for Snowplow, /amp for Amplitude).
app.MapMethods("/stub/{vendor}/{**path}", ["GET", "POST"], (HttpContext context, string vendor, CollectorStub stub) => stub.AcceptAsync(context, vendor)).DisableVisitorCookies().DisableAntiforgery();
app.MapPost("/collector/{**path}", (HttpContext context, CollectorStub stub) => stub.AcceptAsync(context, "snowplow")).DisableVisitorCookies().DisableAntiforgery();
app.MapPost("/amp/{**path}", (HttpContext context, CollectorStub stub) => stub.AcceptAsync(context, "amplitude")).DisableVisitorCookies().DisableAntiforgery();
app.MapGet("/collector/events", (CollectorStub stub) => Results.Json(stub.Events)).DisableVisitorCookies();

// Probes must not mint visitors.
app.MapGet("/healthz", () => Results.Text("ok")).DisableVisitorCookies();
app.MapHealthChecks("/healthz/ledger", new HealthCheckOptions { Predicate = check => check.Name == "consent-ledger" }).DisableVisitorCookies();
app.MapHealthChecks("/healthz/collector", new HealthCheckOptions { Predicate = check => check.Name == "firstparty-collector" }).DisableVisitorCookies();
app.MapHealthChecks("/healthz/key-ring", new HealthCheckOptions { Predicate = check => check.Name == "firstparty-key-ring" }).DisableVisitorCookies();

app.Run();

static Task StaffOnly(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
{
    if (!context.Request.Path.StartsWithSegments("/_fp/insights"))
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    // A page, not an empty answer: browsers show an empty error response as a network failure.
    context.Response.StatusCode = status;
    context.Response.ContentType = "text/html; charset=utf-8";
    return context.Response.WriteAsync(status == StatusCodes.Status401Unauthorized
        ? "<!DOCTYPE html><html lang=\"en\"><title>Staff only</title><h1>Staff only</h1><p><a href=\"/Staff/SignIn\">Sign in</a> as staff first.</p></html>"
        : "<!DOCTYPE html><html lang=\"en\"><title>Staff only</title><h1>Staff only</h1><p>Your account is not staff.</p></html>");
}

static void ServeSdk(WebApplication app, string path, string folder)
{
    var directory = Path.Combine(app.Environment.ContentRootPath, folder);
    if (Directory.Exists(directory))
    {
        app.UseStaticFiles(new StaticFileOptions { RequestPath = path, FileProvider = new PhysicalFileProvider(directory) });
    }
    else
    {
        app.Logger.LogWarning("{Folder} is missing: run npm ci --prefix samples/RazorPagesSample to serve the analytics SDKs at {Path}.", folder, path);
    }
}
