using BlazorSample.Components;
using BlazorSample.Data;
using FirstParty.AspNetCore;
using Microsoft.Extensions.FileProviders;
using NetEscapades.AspNetCore.SecurityHeaders;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddRazorComponents()
    .AddInteractiveServerComponents()
    .AddInteractiveWebAssemblyComponents();

// The consent ledger and the Data Protection keys that sign the cookies live in the sample's SQLite
// file under App_Data, created and upgraded by its migrations at startup (see SampleDatabase).
SampleDatabase.Configure(builder);

// Options come from the "FirstParty" section of appsettings.json: the OptIn regime and the Razor
// Pages sample's categories. Environment variables such as FirstParty__Session__Timeout override them.
builder.Services.AddFirstParty(builder.Configuration.GetSection(FirstPartyOptions.SectionName))
    .AddEntityFrameworkCoreLedger<SampleDbContext>(ledger => ledger.MigrateAtStartup = true)

    // Snowplow's own id cookies, written by the server from the visitor cookie once analytics is allowed.
    .AddSnowplow()

    // The Blazor components (<ConsentBanner />, <GatedScript>, <PrivacyCentre /> ...) and the cascading
    // ConsentState and VisitorState, carried to the Server and WebAssembly render modes.
    .AddComponents();

// A strict Content-Security-Policy (no 'unsafe-inline'): the gated scripts carry the request's nonce,
// which firstparty.js gives to the copies it revives.
builder.Services.Configure<FirstPartyOptions>(o => o.ScriptNonce = context => context.GetNonce());

var app = builder.Build();

if (app.Environment.IsDevelopment())
{
    app.UseWebAssemblyDebugging();
}
else
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
    app.UseHsts();
}

app.UseSecurityHeaders(new HeaderPolicyCollection()
    .AddDefaultSecurityHeaders()
    .AddContentSecurityPolicy(csp =>
    {
        csp.AddDefaultSrc().Self();

        // blazor.web.js, firstparty.js and the SDKs are files of this origin; Blazor itself renders no
        // inline script. .NET WebAssembly compiles its runtime with WebAssembly.compile, which needs
        // 'wasm-unsafe-eval' (it allows no JavaScript eval).
        csp.AddScriptSrc().Self().WithNonce().WasmUnsafeEval();
        csp.AddStyleSrc().Self();

        // The Interactive Server circuit's WebSocket (ws: or wss: on this origin) and the WebAssembly
        // runtime's fetches are covered by connect-src 'self'.
        csp.AddConnectSrc().Self();
        csp.AddFrameSrc().Self();
        csp.AddFrameAncestors().Self();
        csp.AddObjectSrc().None();
        csp.AddBaseUri().Self();
        csp.AddFormAction().Self();
    }));

// Snowplow's browser tracker, self-hosted from the sample's npm package (npm ci --prefix samples/BlazorSample).
var snowplow = Path.Combine(app.Environment.ContentRootPath, "node_modules/@snowplow/browser-tracker/dist");
if (Directory.Exists(snowplow))
{
    app.UseStaticFiles(new StaticFileOptions { RequestPath = "/sdk/snowplow", FileProvider = new PhysicalFileProvider(snowplow) });
}
else
{
    app.Logger.LogWarning("{Folder} is missing: run npm ci --prefix samples/BlazorSample to serve Snowplow's tracker at /sdk/snowplow.", snowplow);
}

app.UseRouting();

// After routing and before the components: enhanced navigations and enhanced form posts count as page
// navigations, so sessions start and slide for visitors who only click links.
app.UseFirstParty();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode()
    .AddInteractiveWebAssemblyRenderMode()
    .AddAdditionalAssemblies(typeof(BlazorSample.Client._Imports).Assembly);

// Consent endpoints: POST/GET/DELETE /_fp/consent, GET /_fp/consent/receipts, POST /_fp/forget,
// /.well-known/gpc.json.
app.MapFirstParty();

// Stands in for a third-party video player (a local page, so the sample runs offline).
app.MapGet("/embed/roasting", () => Results.Content("<!doctype html><html lang=\"en\"><title>Player</title><p>Video: how we roast</p></html>", "text/html"))
    .DisableVisitorCookies();

// Stands in for Snowplow's collector, so the sample runs offline; the tracker posts its events here.
app.MapPost("/stub/snowplow/{**path}", () => Results.Ok()).DisableVisitorCookies().DisableAntiforgery();

app.Run();
