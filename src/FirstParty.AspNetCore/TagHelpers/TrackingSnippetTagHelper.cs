using System.Text.Encodings.Web;
using FirstParty.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>
/// <c>&lt;tracking-snippet provider="snowplow" /&gt;</c>: a provider's scripts (see
/// <see cref="ITrackingSnippet"/>), each with the request's CSP nonce. While the provider's consent
/// key is not granted the scripts are inert (<c>type="text/plain"</c>, <c>src</c> in
/// <c>data-fp-src</c>) and the enhancement script runs them, in order, when consent is given on the
/// page. Granted, they carry the SDK ids the server keeps and the signed-in user's id.
/// </summary>
[HtmlTargetElement("tracking-snippet", TagStructure = TagStructure.WithoutEndTag)]
public sealed class TrackingSnippetTagHelper(IEnumerable<ITrackingSnippet> providers, IOptions<FirstPartyOptions> options, ILogger<TrackingSnippetTagHelper> logger) : TagHelper
{
    /// <summary>The provider's name: <c>ga4</c>, <c>amplitude</c>, <c>snowplow</c>, <c>matomo</c>, <c>clarity</c>, <c>plausible</c> or one you registered.</summary>
    [HtmlAttributeName("provider")]
    public string? Provider { get; set; }

    /// <summary>The view context (set by Razor).</summary>
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    /// <inheritdoc />
    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.TagName = null;
        var provider = providers.LastOrDefault(p => string.Equals(p.Name, Provider?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (provider is null)
        {
            logger.TrackingProviderUnknown(Provider ?? string.Empty);
            output.SuppressOutput();
            return;
        }

        var http = ViewContext.HttpContext;
        var key = provider.ConsentKey;
        var granted = http.GetConsent()?.IsGranted(key) ?? false;
        var ids = granted ? http.GetProviderIds() : new ProviderIds(null, null, null);
        var userId = granted ? options.Value.Providers.UserId(http) : null;
        var scripts = provider.GetScripts(new TrackingContext(http, granted, ids, string.IsNullOrEmpty(userId) ? null : userId)).ToList();
        if (scripts.Count == 0)
        {
            logger.TrackingProviderNotConfigured(provider.Name);
            output.SuppressOutput();
            return;
        }

        var encoder = http.RequestServices.GetService<HtmlEncoder>() ?? HtmlEncoder.Default;
        var nonce = ConsentForms.Nonce(http);
        using var html = new StringWriter();
        foreach (var script in scripts)
        {
            Write(html, script, granted, key, nonce, encoder);
        }

        output.Content.SetHtmlContent(html.ToString());
    }

    private static void Write(StringWriter html, TrackingScript script, bool granted, string key, string? nonce, HtmlEncoder encoder)
    {
        html.Write("<script");
        if (!string.IsNullOrEmpty(nonce))
        {
            Attribute(html, "nonce", nonce, encoder);
        }

        if (!granted)
        {
            Attribute(html, "type", "text/plain", encoder);
            Attribute(html, "data-fp-consent", key, encoder);
        }

        if (script.Src is { } src)
        {
            Attribute(html, granted ? "src" : "data-fp-src", src, encoder);
            if (script.Async)
            {
                html.Write(" async");
            }

            if (script.Integrity is { } integrity)
            {
                Attribute(html, "integrity", integrity, encoder);
                Attribute(html, "crossorigin", "anonymous", encoder);
            }
        }

        foreach (var (attribute, value) in script.Attributes ?? new Dictionary<string, string>())
        {
            if (attribute.Length == 0 || !attribute.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or ':' or '_'))
            {
                // Not an attribute name: it could break out of the tag.
                continue;
            }

            // A gated script keeps its real type for the moment it is revived.
            var name = !granted && string.Equals(attribute, "type", StringComparison.OrdinalIgnoreCase) ? "data-fp-type" : attribute;
            if (value.Length == 0)
            {
                html.Write(' ');
                html.Write(name);
            }
            else
            {
                Attribute(html, name, value, encoder);
            }
        }

        html.Write('>');
        if (script.Code is { } code)
        {
            // A provider's code must not be able to end the element early, or to put the parser in
            // the state where the closing tag no longer closes it.
            html.Write(code.Replace("</", "<\\/", StringComparison.Ordinal).Replace("<!--", "<\\!--", StringComparison.Ordinal));
        }

        html.Write("</script>");
    }

    private static void Attribute(StringWriter html, string name, string value, HtmlEncoder encoder)
    {
        html.Write(' ');
        html.Write(name);
        html.Write("=\"");
        encoder.Encode(html, value);
        html.Write('"');
    }
}
