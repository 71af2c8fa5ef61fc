using Microsoft.AspNetCore.Components;

namespace FirstParty.AspNetCore.Components;

/// <summary><c>&lt;CookieTable /&gt;</c>: the cookie declaration table of <c>&lt;cookie-table /&gt;</c>, optionally for one category.</summary>
public sealed class CookieTable : FirstPartyMarkupComponent
{
    /// <summary>Only the cookies of this category; every category when null.</summary>
    [Parameter]
    public string? Category { get; set; }

    private protected override MarkupRequest Request => new(MarkupKind.CookieTable, Category);
}
