using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Consent;

internal sealed class ConsentService(ConsentManager manager, IConsentDecider decider) : IConsentService
{
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

    private static ConsentFeature Require(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IConsentFeature>() as ConsentFeature
            ?? throw new InvalidOperationException("The FirstParty middleware did not run for this request: call app.UseFirstParty() first.");
    }
}
