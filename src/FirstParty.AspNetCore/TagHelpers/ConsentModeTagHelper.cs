using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>
/// <c>&lt;consent-mode /&gt;</c>, in the head before any Google tag: an inline script (with the
/// request's CSP nonce) that sets Google Consent Mode v2 defaults for the regime, then the
/// person's current choices as an <c>update</c>, and sends a new <c>update</c> whenever they change
/// their choice on the page. Signals map to categories through <c>FirstParty:ConsentMode:Signals</c>.
/// </summary>
[HtmlTargetElement("consent-mode", TagStructure = TagStructure.WithoutEndTag)]
public sealed class ConsentModeTagHelper : TagHelper
{
    /// <summary>The current view.</summary>
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    /// <inheritdoc />
    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var http = ViewContext.HttpContext;
        if (http.GetConsent() is not { } consent)
        {
            output.SuppressOutput();
            return;
        }

        output.TagName = "script";
        output.TagMode = TagMode.StartTagAndEndTag;
        if (ConsentForms.Nonce(http) is { Length: > 0 } nonce)
        {
            output.Attributes.SetAttribute("nonce", nonce);
        }

        output.Attributes.SetAttribute(new TagHelperAttribute("data-fp-consent-mode"));
        output.Content.SetHtmlContent(http.RequestServices.GetRequiredService<ConsentModeScript>().Render(consent));
    }
}
