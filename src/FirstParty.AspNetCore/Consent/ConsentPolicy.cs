using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Consent;

/// <summary>The configured categories and the rule that decides whether one is granted.</summary>
internal sealed class ConsentPolicy
{
    private readonly FrozenDictionary<string, ConsentCategoryOptions> _categories;

    public ConsentPolicy(IOptions<FirstPartyOptions> options)
    {
        Options = options.Value.Consent;
        Categories = Options.EffectiveCategories;
        _categories = Categories.ToFrozenDictionary(c => c.Key, StringComparer.Ordinal);
    }

    public ConsentOptions Options { get; }

    /// <summary>The categories in their configured order.</summary>
    public IReadOnlyList<ConsentCategoryOptions> Categories { get; }

    public bool IsKnown(string category) => _categories.ContainsKey(category);

    public bool IsRequired(string category) => _categories.TryGetValue(category, out var c) && c.Required;

    /// <summary>
    /// Necessary categories are always granted; a current decision is honoured as made (an explicit
    /// choice overrides Global Privacy Control); undecided, OptIn grants nothing else, while OptOut and
    /// Implied grant everything but the sale/sharing categories an opt-out signal refuses.
    /// </summary>
    public bool IsGranted(string category, ConsentRecord? decision, ConsentRegime regime, bool optOutSignal)
    {
        if (!_categories.TryGetValue(category, out var options))
        {
            return false;
        }

        if (options.Required)
        {
            return true;
        }

        if (decision is not null)
        {
            return decision.Grants(category);
        }

        return regime != ConsentRegime.OptIn && !(optOutSignal && options.SaleOrSharing);
    }
}
