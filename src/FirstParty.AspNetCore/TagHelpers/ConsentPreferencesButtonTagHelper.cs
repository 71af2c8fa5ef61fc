using FirstParty.AspNetCore.Consent;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Mvc.TagHelpers;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>
/// <c>&lt;consent-preferences-button /&gt;</c>, for a footer: a link that reopens the consent
/// preferences. With the script it opens them in place; without JavaScript it leads to
/// <c>FirstParty:Banner:PreferencesUrl</c>, or to the current page with the banner open. Its content,
/// when given, replaces the default "Cookie settings" text. Any element with
/// <c>data-fp-open-preferences</c> does the same once the script runs.
/// </summary>
[HtmlTargetElement("consent-preferences-button")]
public sealed class ConsentPreferencesButtonTagHelper : TagHelper
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
        output.TagName = "a";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("href", ConsentForms.PreferencesUrl(http));
        output.Attributes.SetAttribute(new TagHelperAttribute("data-fp-open-preferences"));
        output.AddClass("fp-open-preferences", HtmlEncoder.Default);

        var content = await output.GetChildContentAsync().ConfigureAwait(false);
        if (content.IsEmptyOrWhiteSpace)
        {
            var texts = http.RequestServices.GetRequiredService<ConsentUiTexts>();
            output.Content.SetContent(texts.Get("OpenPreferences", System.Globalization.CultureInfo.CurrentUICulture));
        }
    }
}
