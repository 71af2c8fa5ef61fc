using FirstParty.AspNetCore.Linking;
using FirstParty.AspNetCore.TagHelpers;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>
/// <c>&lt;a href="https://shop.example.org/cart" fp-link&gt;</c>: a link to a sister site
/// (<c>FirstParty:Linking:Domains</c>) goes through <c>/_fp/link</c>, which adds a fresh signed
/// parameter with the visitor id at click time (so a page left open keeps working links) when
/// consent allows it, and otherwise just redirects. Links to other hosts are left as written.
/// </summary>
[HtmlTargetElement("a", Attributes = AttributeName)]
public sealed class CrossDomainLinkTagHelper : TagHelper
{
    private const string AttributeName = "fp-link";

    /// <summary>The view context (set by Razor).</summary>
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    /// <inheritdoc />
    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Attributes.RemoveAll(AttributeName);
        var http = ViewContext.HttpContext;
        if (http.RequestServices.GetService(typeof(CrossDomainTokens)) is not CrossDomainTokens { Enabled: true } tokens
            || !output.Attributes.TryGetAttribute("href", out var href)
            || !tokens.TryGetSisterUrl(href.Value?.ToString(), out var target))
        {
            return;
        }

        output.Attributes.SetAttribute("href", ConsentForms.Endpoint(http, "link") + "?to=" + Uri.EscapeDataString(target.AbsoluteUri));
    }
}
