using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>
/// <c>&lt;privacy-centre /&gt;</c>, for a privacy page: the current choices, the consent, visitor and
/// session ids stored on this browser, the preferences form to change them, and buttons to
/// withdraw consent and to forget this browser. Rendered by the overridable view
/// <c>FirstParty/_PrivacyCentre</c>.
/// </summary>
[HtmlTargetElement("privacy-centre", TagStructure = TagStructure.WithoutEndTag)]
public sealed class PrivacyCentreTagHelper : TagHelper
{
    /// <summary>The current view.</summary>
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    /// <inheritdoc />
    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.TagName = null;
        var http = ViewContext.HttpContext;
        if (ConsentForms.Create(http, "fp-centre", withToken: true, preferencesOpen: true) is not { } form)
        {
            output.SuppressOutput();
            return;
        }

        var model = new PrivacyCentreModel(form, http.GetVisitor(), ConsentForms.Endpoint(http, "forget"), ConsentForms.Endpoint(http, "consent/receipts") + "?download");
        output.Content.SetHtmlContent(await http.RequestServices.GetRequiredService<IConsentViewRenderer>()
            .RenderAsync(ViewContext, ConsentViewRenderer.PrivacyCentre, model).ConfigureAwait(false));
    }
}
