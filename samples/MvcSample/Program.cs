using FirstParty.AspNetCore;
using FirstParty.AspNetCore.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using MvcSample.Data;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddControllersWithViews();
builder.Services.AddDistributedMemoryCache();
builder.Services.AddSession();

// This app has no EF Core model of its own: the ready-made ledger context keeps the consent
// receipts in a database of their own (an SQLite file by default; PostgreSQL with
// Database:Provider = PostgreSql), and the Data Protection keys that sign the cookies beside them,
// so a restart or redeploy keeps every visitor. Its migrations, one set per provider, are applied
// at startup, which also upgrades a file made by an earlier version with EnsureCreated.
var connectionString = builder.Configuration.GetConnectionString("Ledger");
switch ((builder.Configuration["Database:Provider"] ?? "Sqlite").ToUpperInvariant())
{
    case "SQLITE":
        var sqlite = new SqliteConnectionStringBuilder(connectionString ?? "Data Source=App_Data/ledger.db");
        if (!Path.IsPathRooted(sqlite.DataSource))
        {
            sqlite.DataSource = Path.Combine(builder.Environment.ContentRootPath, sqlite.DataSource);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(sqlite.DataSource)!);
        builder.Services.AddDbContext<ConsentLedgerDbContext, SqliteLedgerDbContext>(db => db.UseSqlite(sqlite.ToString()));
        break;
    case "POSTGRESQL":
        if (string.IsNullOrEmpty(connectionString))
        {
            throw new InvalidOperationException("Database:Provider is PostgreSql but ConnectionStrings:Ledger is not set.");
        }

        builder.Services.AddDbContext<ConsentLedgerDbContext, PostgreSqlLedgerDbContext>(db => db.UseNpgsql(connectionString));
        break;
    default:
        throw new InvalidOperationException($"Database:Provider must be Sqlite or PostgreSql; it is '{builder.Configuration["Database:Provider"]}'.");
}

builder.Services.AddFirstParty(builder.Configuration.GetSection(FirstPartyOptions.SectionName))
    .AddEntityFrameworkCoreLedger<ConsentLedgerDbContext>(o => o.MigrateAtStartup = true);
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
