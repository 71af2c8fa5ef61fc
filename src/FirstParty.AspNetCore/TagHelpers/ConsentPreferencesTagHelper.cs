using FirstParty.AspNetCore.Consent;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Mvc.TagHelpers;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>
/// <c>&lt;consent-preferences /&gt;</c>: the full preferences form inline (every category with its
/// services and cookies, pre-filled, and a Save button), for a privacy or cookie settings page.
/// A plain form that works without JavaScript.
/// </summary>
[HtmlTargetElement("consent-preferences", TagStructure = TagStructure.WithoutEndTag)]
public sealed class ConsentPreferencesTagHelper : TagHelper
{
    /// <summary>The current view.</summary>
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    /// <inheritdoc />
    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var http = ViewContext.HttpContext;
        if (ConsentForms.Create(http, "fp-prefs", withToken: true, preferencesOpen: true) is not { } model)
        {
            output.SuppressOutput();
            return;
        }

        var panel = await http.RequestServices.GetRequiredService<IConsentViewRenderer>()
            .RenderAsync(ViewContext, ConsentViewRenderer.Preferences, model).ConfigureAwait(false);
        output.TagName = "form";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("method", "post");
        output.Attributes.SetAttribute("action", model.Action);
        output.Attributes.SetAttribute(new TagHelperAttribute("data-fp-preferences-form"));
        var encoder = http.RequestServices.GetService<HtmlEncoder>() ?? HtmlEncoder.Default;
        output.AddClass("fp-form", encoder);
        var tokens = model.Antiforgery!;
        output.Content.AppendHtml(HiddenFields.Input(tokens.FormFieldName, tokens.RequestToken, encoder))
            .AppendHtml(HiddenFields.Input("returnUrl", model.ReturnUrl, encoder))
            .AppendHtml(HiddenFields.Input(ConsentLayers.Field, ConsentLayers.Second, encoder))
            .AppendHtml("<div data-fp-preferences class=\"fp-preferences fp-inline\">")
            .AppendHtml(panel)
            .AppendHtml("</div>");
    }
}
