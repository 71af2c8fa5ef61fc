using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Consent;

/// <summary>The configured categories and the rule that decides whether one is granted.</summary>
internal sealed class ConsentPolicy
{
    private readonly FrozenDictionary<string, ConsentCategoryOptions> _categories;
    private readonly FrozenSet<string> _services;

    public ConsentPolicy(IOptions<FirstPartyOptions> options)
    {
        Options = options.Value.Consent;
        Categories = Options.EffectiveCategories;
        _categories = Categories.ToFrozenDictionary(c => c.Key, StringComparer.Ordinal);
        HasSaleOrSharing = Categories.Any(c => c.SaleOrSharing);
        ServiceKeys = [.. Categories.SelectMany(c => (c.Services ?? []).Select(s => ServiceKey(c.Key, s.Key)))];
        _services = ServiceKeys.ToFrozenSet(StringComparer.Ordinal);
        LocalStorageKeys = Categories
            .SelectMany(c => (c.Services ?? []).Where(s => s.LocalStorageKeys is { Count: > 0 }).Select(s => (Key: ServiceKey(c.Key, s.Key), s.LocalStorageKeys)))
            .ToFrozenDictionary(s => s.Key, s => s.LocalStorageKeys.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The key of a service's own choice: <c>category/service</c>.</summary>
    public static string ServiceKey(string category, string service) => category + "/" + service;

    public ConsentOptions Options { get; }

    /// <summary>The categories in their configured order.</summary>
    public IReadOnlyList<ConsentCategoryOptions> Categories { get; }

    /// <summary>Every service's choice key (<c>category/service</c>), in configured order.</summary>
    public IReadOnlyList<string> ServiceKeys { get; }

    /// <summary>The configured services' storage keys by service; the cookie catalogue adds the provider profiles' keys for the script.</summary>
    public IReadOnlyDictionary<string, string[]> LocalStorageKeys { get; }

    /// <summary>True when a category sells or shares data, so an opt-out signal has something to refuse.</summary>
    public bool HasSaleOrSharing { get; }

    /// <summary>True for a configured category, or a configured service as <c>category/service</c>.</summary>
    public bool IsKnown(string key) => _categories.ContainsKey(key) || _services.Contains(key);

    public bool IsRequired(string category) => _categories.TryGetValue(category, out var c) && c.Required;

    /// <summary>
    /// Necessary categories are always granted; a current decision is honoured as made (an explicit
    /// choice overrides Global Privacy Control); undecided, OptIn grants nothing else, while OptOut and
    /// Implied grant everything but the sale/sharing categories an opt-out signal refuses.
    /// A service (<c>category/service</c>) follows its category unless the decision chose services of
    /// that category one by one: then only the services it lists are granted.
    /// </summary>
    public bool IsGranted(string key, ConsentRecord? decision, ConsentRegime regime, bool optOutSignal)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!_services.Contains(key))
            {
                return false;
            }

            var category = key[..slash];
            if (decision is not null && !IsRequired(category) && decision.ChoseServicesOf(category))
            {
                return decision.Grants(key);
            }

            return IsGranted(category, decision, regime, optOutSignal);
        }

        if (!_categories.TryGetValue(key, out var options))
        {
            return false;
        }

        if (options.Required)
        {
            return true;
        }

        if (decision is not null)
        {
            return decision.Grants(key);
        }

        return regime != ConsentRegime.OptIn && !(optOutSignal && options.SaleOrSharing);
    }
}
