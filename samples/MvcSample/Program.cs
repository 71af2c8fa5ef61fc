using FirstParty.AspNetCore;
using FirstParty.AspNetCore.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddControllersWithViews();
builder.Services.AddDistributedMemoryCache();
builder.Services.AddSession();

// This app has no EF Core model of its own: the ready-made ledger context keeps the consent
// receipts in an SQLite file of their own, created at startup, and the Data Protection keys that
// sign the cookies beside them, so a restart or redeploy keeps every visitor.
var ledger = new SqliteConnectionStringBuilder(builder.Configuration.GetConnectionString("Ledger") ?? "Data Source=App_Data/ledger.db");
if (!Path.IsPathRooted(ledger.DataSource))
{
    ledger.DataSource = Path.Combine(builder.Environment.ContentRootPath, ledger.DataSource);
}

Directory.CreateDirectory(Path.GetDirectoryName(ledger.DataSource)!);
builder.Services.AddFirstParty(builder.Configuration.GetSection(FirstPartyOptions.SectionName))
    .AddEntityFrameworkCoreLedger(db => db.UseSqlite(ledger.ToString()), o => o.EnsureCreated = true);
builder.Services.AddDataProtection()
    .PersistKeysToDbContext<ConsentLedgerDbContext>()
    .SetApplicationName("FirstParty.MvcSample");

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
