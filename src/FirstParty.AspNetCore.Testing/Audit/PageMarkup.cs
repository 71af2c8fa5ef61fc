using System.Text.RegularExpressions;

namespace FirstParty.AspNetCore.Testing;

/// <summary>What the HTTP audit reads from a page's HTML: the banner's first layer and a way back to the preferences.</summary>
internal static partial class PageMarkup
{
    /// <summary>
    /// True when the page's banner (<c>data-fp-banner</c>) has a <c>reject-all</c> button outside the
    /// <c>&lt;details&gt;</c> that holds the preferences (the second layer).
    /// </summary>
    public static bool HasRejectOnFirstLayer(string html)
    {
        var banner = Banner().Match(html);
        if (!banner.Success)
        {
            return false;
        }

        var firstLayer = Details().Replace(banner.Value, string.Empty);
        return RejectButton().IsMatch(firstLayer);
    }

    /// <summary>A control that reopens the preferences (<c>data-fp-open-preferences</c>) or the privacy centre itself.</summary>
    public static bool HasWithdrawal(string html) => Withdrawal().IsMatch(html);

    [GeneratedRegex("<section[^>]*\\bdata-fp-banner\\b.*?</section>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Banner();

    [GeneratedRegex("<details\\b.*?</details>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Details();

    [GeneratedRegex("<button\\b[^>]*\\bvalue=\"reject-all\"", RegexOptions.IgnoreCase)]
    private static partial Regex RejectButton();

    [GeneratedRegex("<(?:a|button)\\b[^>]*\\bdata-fp-open-preferences\\b|<[a-z]+\\b[^>]*\\bdata-fp-centre\\b", RegexOptions.IgnoreCase)]
    private static partial Regex Withdrawal();
}
