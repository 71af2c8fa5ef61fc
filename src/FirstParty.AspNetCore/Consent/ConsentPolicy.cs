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
        CookieFormat = options.Value.Cookies.Format;
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

    /// <summary>The format the consent cookie is written in (<see cref="FirstPartyCookieOptions.Format"/>).</summary>
    public int CookieFormat { get; }

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
    /// The one rule for "is this granted" that the gate, the state endpoint, the tag helpers, Consent
    /// Mode, the receipts and their exports all follow. A current decision is honoured as made (an
    /// explicit choice overrides an opt-out signal, see <see cref="Grants"/>); undecided, see
    /// <see cref="GrantsByDefault"/>.
    /// </summary>
    public bool IsGranted(string key, ConsentRecord? decision, ConsentRegime regime, bool optOutSignal)
        => decision is null ? GrantsByDefault(key, regime, optOutSignal) : Grants(decision, key);

    /// <summary>
    /// True when <paramref name="decision"/> grants <paramref name="key"/>: a required category always;
    /// another category when the decision lists it; a service (<c>category/service</c>) as its category
    /// does, unless the decision chose services of that (optional) category one by one: then only the
    /// services it lists. Unknown keys are never granted.
    /// </summary>
    public bool Grants(ConsentRecord decision, string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return _categories.TryGetValue(key, out var options) && (options.Required || decision.Lists(key));
        }

        if (!_services.Contains(key))
        {
            return false;
        }

        var category = key[..slash];
        return !IsRequired(category) && decision.ListsServicesOf(category) ? decision.Lists(key) : Grants(decision, category);
    }

    /// <summary>
    /// Undecided: necessary categories are granted; OptIn grants nothing else, while OptOut and Implied
    /// grant everything but the sale/sharing categories an opt-out signal refuses. A service follows its category.
    /// </summary>
    public bool GrantsByDefault(string key, ConsentRegime regime, bool optOutSignal)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            return _services.Contains(key) && GrantsByDefault(key[..slash], regime, optOutSignal);
        }

        if (!_categories.TryGetValue(key, out var options))
        {
            return false;
        }

        return options.Required || (regime != ConsentRegime.OptIn && !(optOutSignal && options.SaleOrSharing));
    }

    /// <summary>
    /// Every configured category, then every service, split by <see cref="Grants"/>: what a receipt of
    /// <paramref name="decision"/> proves, equal to what the state endpoint reports for it.
    /// </summary>
    public (List<string> Granted, List<string> Denied) Purposes(ConsentRecord decision)
    {
        var granted = new List<string>(Categories.Count + ServiceKeys.Count);
        var denied = new List<string>();
        foreach (var category in Categories)
        {
            (Grants(decision, category.Key) ? granted : denied).Add(category.Key);
        }

        foreach (var service in ServiceKeys)
        {
            (Grants(decision, service) ? granted : denied).Add(service);
        }

        return (granted, denied);
    }

    /// <summary>True when <paramref name="decision"/> grants an optional category or a service of one.</summary>
    public bool GrantsAnythingOptional(ConsentRecord decision)
    {
        foreach (var category in Categories)
        {
            if (!category.Required && GrantsCategoryOrAService(decision, category))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="decision"/> grants a category that sells or shares data, or one of its services.</summary>
    public bool GrantsSaleOrSharing(ConsentRecord decision)
    {
        foreach (var category in Categories)
        {
            if (category.SaleOrSharing && !category.Required && GrantsCategoryOrAService(decision, category))
            {
                return true;
            }
        }

        return false;
    }

    private bool GrantsCategoryOrAService(ConsentRecord decision, ConsentCategoryOptions category)
        => Grants(decision, category.Key) || (category.Services ?? []).Any(s => Grants(decision, ServiceKey(category.Key, s.Key)));
}
