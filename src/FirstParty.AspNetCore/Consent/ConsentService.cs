using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Consent;

internal sealed class ConsentService(ConsentManager manager, IConsentDecider decider, TimeProvider time) : IConsentService
{
    private readonly string[] _categoryKeys = [.. manager.Policy.Categories.Select(c => c.Key)];

    public IReadOnlyList<string> CategoryKeys => _categoryKeys;

    public async Task<IConsentFeature> SetAsync(HttpContext context, IEnumerable<string> grantedCategories)
    {
        ArgumentNullException.ThrowIfNull(grantedCategories);
        var feature = Require(context);
        var granted = grantedCategories.ToArray();
        if (granted.FirstOrDefault(c => !manager.Policy.IsKnown(c)) is { } unknown)
        {
            throw new ArgumentException($"'{unknown}' is not a configured consent category.", nameof(grantedCategories));
        }

        await decider.DecideAsync(context, feature, ConsentSources.Api, granted).ConfigureAwait(false);
        return feature;
    }

    public async Task<IConsentFeature> WithdrawAsync(HttpContext context)
    {
        var feature = Require(context);
        await decider.DecideAsync(context, feature, ConsentSources.Withdraw, []).ConfigureAwait(false);
        return feature;
    }

    public string CreateCookie(IEnumerable<string> grantedCategories)
    {
        ArgumentNullException.ThrowIfNull(grantedCategories);
        var granted = grantedCategories.ToArray();
        if (granted.FirstOrDefault(c => !manager.Policy.IsKnown(c)) is { } unknown)
        {
            // Listing the configured keys turns a typo in a test into a one-look fix.
            throw new ArgumentException($"'{unknown}' is not a consent category of this app ({string.Join(", ", _categoryKeys)}).", nameof(grantedCategories));
        }

        var policy = manager.Policy;
        var source = granted.Length == 0 ? ConsentSources.RejectAll : ConsentSources.Custom;
        var (record, _) = manager.CreateRecord(null, source, policy.Options.Regime, null, granted, time.GetUtcNow());
        return $"{policy.Options.CookieName}={manager.Codec.Protect(record)}";
    }

    private static ConsentFeature Require(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IConsentFeature>() as ConsentFeature
            ?? throw new InvalidOperationException("The FirstParty middleware did not run for this request: call app.UseFirstParty() first.");
    }
}
