using Microsoft.AspNetCore.Razor.TagHelpers;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>The content of a <c>&lt;consent-block&gt;</c> shown while its consent is not granted.</summary>
[HtmlTargetElement("consent-fallback", ParentTag = "consent-block")]
public sealed class ConsentFallbackTagHelper : TagHelper
{
    /// <inheritdoc />
    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(output);
        var content = await output.GetChildContentAsync().ConfigureAwait(false);
        if (context.Items.TryGetValue(ConsentBlockTagHelper.FallbackKey, out var value) && value is ConsentBlockTagHelper.FallbackHolder holder)
        {
            holder.Content = content;
        }

        output.SuppressOutput();
    }
}
