using FirstParty.AspNetCore;
using FirstParty.AspNetCore.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps FirstParty's consent ledger in a database through EF Core.</summary>
public static class EntityFrameworkCoreLedgerFirstPartyBuilderExtensions
{
    /// <summary>
    /// Keeps consent receipts in the app's own <typeparamref name="TContext"/> (registered with
    /// <c>AddDbContext</c> or <c>AddDbContextPool</c>), which implements
    /// <see cref="IConsentLedgerDbContext"/>; the ledger's tables join the app's migrations.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "One overload is generic (the app's context), the other is not and takes the ready-made context's setup first, so no call can match both.")]
    public static IFirstPartyBuilder AddEntityFrameworkCoreLedger<TContext>(this IFirstPartyBuilder builder, Action<EntityFrameworkCoreLedgerOptions>? configure = null)
        where TContext : DbContext, IConsentLedgerDbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<EntityFrameworkCoreLedgerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(
                static o => !(o.EnsureCreated && o.MigrateAtStartup),
                "EntityFrameworkCoreLedgerOptions: set EnsureCreated (prototypes) or MigrateAtStartup, not both.")
            .ValidateOnStart();

        services.TryAddSingleton<EntityFrameworkCoreConsentLedger<TContext>>();
        services.Replace(ServiceDescriptor.Singleton<IConsentLedger>(static sp => sp.GetRequiredService<EntityFrameworkCoreConsentLedger<TContext>>()));

        // Before FirstParty's own hosted services, so the ledger writer finds the tables.
        services.Insert(0, ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, LedgerSchemaInitializer<TContext>>());
        return builder;
    }

    /// <summary>
    /// Keeps consent receipts in a ledger-only database with the ready-made
    /// <see cref="ConsentLedgerDbContext"/>, for example
    /// <c>.AddEntityFrameworkCoreLedger(db =&gt; db.UseNpgsql(connectionString))</c>.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "One overload is generic (the app's context), the other is not and takes the ready-made context's setup first, so no call can match both.")]
    public static IFirstPartyBuilder AddEntityFrameworkCoreLedger(this IFirstPartyBuilder builder, Action<DbContextOptionsBuilder> configureDbContext, Action<EntityFrameworkCoreLedgerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureDbContext);
        builder.Services.AddDbContext<ConsentLedgerDbContext>(configureDbContext);
        return builder.AddEntityFrameworkCoreLedger<ConsentLedgerDbContext>(configure);
    }
}
