using FirstParty.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddRazorPages();

// The consent texts come in French and German too: let Razor write accented letters as they are.
builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
    o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));

// Session and TempData keep working before consent: FirstParty declares ASP.NET Core's own
// cookies (antiforgery, session, TempData, sign-in) as necessary.
builder.Services.AddDistributedMemoryCache();
builder.Services.AddSession();

// Options come from the "FirstParty" section of appsettings.json; environment variables such as
// FirstParty__Visitor__CookieName override them.
builder.Services.AddFirstParty(builder.Configuration.GetSection(FirstPartyOptions.SectionName));

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
    app.UseHsts();
}

app.UseStaticFiles();

// Consent texts follow the request's UI culture (?culture=fr, the culture cookie or Accept-Language).
string[] cultures = ["en", "fr", "de"];
app.UseRequestLocalization(o => o.SetDefaultCulture("en").AddSupportedCultures(cultures).AddSupportedUICultures(cultures));
app.UseRouting();
app.UseFirstParty();
app.UseSession();

app.MapRazorPages();

// Consent endpoints: POST/GET/DELETE /_fp/consent, POST /_fp/forget, /.well-known/gpc.json.
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

// Probes must not mint visitors.
app.MapGet("/healthz", () => Results.Text("ok")).DisableVisitorCookies();

app.Run();
