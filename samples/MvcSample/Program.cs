using FirstParty.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddControllersWithViews();
builder.Services.AddDistributedMemoryCache();
builder.Services.AddSession();
builder.Services.AddFirstParty(builder.Configuration.GetSection(FirstPartyOptions.SectionName));

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Home/Error");
    app.UseHsts();
}

app.UseRouting();
app.UseFirstParty();
app.UseSession();

// Static assets as endpoints, fingerprinted and compressed at build time: the site's own and
// FirstParty's banner script and stylesheet (static web assets) alike.
app.MapStaticAssets();
app.MapControllerRoute(name: "default", pattern: "{controller=Home}/{action=Index}/{id?}").WithStaticAssets();
app.MapFirstParty();

// Stands in for a third-party reading-sample player (local, so the sample runs offline).
app.MapGet("/embed/sample", () => Results.Content("<!doctype html><title>Sample</title><p>Chapter one, read aloud.</p>", "text/html"))
    .DisableVisitorCookies();

app.Run();
