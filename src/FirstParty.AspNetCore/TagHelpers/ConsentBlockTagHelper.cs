using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>
/// <c>&lt;consent-block consent="analytics"&gt;...&lt;consent-fallback&gt;...&lt;/consent-fallback&gt;&lt;/consent-block&gt;</c>:
/// arbitrary content that needs a category (or <c>category/service</c>). Granted: the content as
/// written, without the fallback. Not granted: the fallback, with the content kept inert in a
/// <c>&lt;template&gt;</c> that the script swaps in when consent arrives, without a reload.
/// <c>consent="!marketing"</c> renders the content only while the category is refused.
/// </summary>
[HtmlTargetElement("consent-block", Attributes = "consent")]
public sealed class ConsentBlockTagHelper : TagHelper
{
    internal static readonly object FallbackKey = typeof(ConsentFallbackTagHelper);

    /// <summary>The category or <c>category/service</c> the content needs; a leading <c>!</c> inverts it.</summary>
    [HtmlAttributeName("consent")]
    public string Consent { get; set; } = string.Empty;

    /// <summary>The current view.</summary>
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    /// <inheritdoc />
    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(output);
        var holder = new FallbackHolder();
        context.Items[FallbackKey] = holder;
        var content = await output.GetChildContentAsync().ConfigureAwait(false);

        var key = Consent.Trim();
        var inverted = key.StartsWith('!');
        key = inverted ? key[1..] : key;
        var granted = ViewContext.HttpContext.GetConsent()?.IsGranted(key) ?? false;

        output.TagName = null;
        if (inverted)
        {
            SetContent(output, granted ? null : content);
            return;
        }

        if (granted)
        {
            SetContent(output, content);
            return;
        }

        output.TagName = "div";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("data-fp-placeholder", key);
        output.Attributes.SetAttribute(new TagHelperAttribute("data-fp-block"));
        output.Content.SetHtmlContent("<template data-fp-embed>");
        output.Content.AppendHtml(content);
        output.Content.AppendHtml("</template>");
        if (holder.Content is not null)
        {
            output.Content.AppendHtml(holder.Content);
        }
    }

    private static void SetContent(TagHelperOutput output, TagHelperContent? content)
    {
        if (content is null)
        {
            output.SuppressOutput();
        }
        else
        {
            output.Content.SetHtmlContent(content);
        }
    }

    internal sealed class FallbackHolder
    {
        public IHtmlContent? Content { get; set; }
    }
}
