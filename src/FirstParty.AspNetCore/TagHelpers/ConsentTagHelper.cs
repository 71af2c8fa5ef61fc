using System.Text.Encodings.Web;
using FirstParty.AspNetCore.Consent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>
/// <c>fp-consent="category"</c> (or <c>category/service</c>, or <c>!category</c> for "only when
/// refused") on scripts, stylesheets and embeds. Granted: the element renders as written. Not
/// granted: a script becomes inert (<c>type="text/plain"</c>, <c>src</c> moved to <c>data-fp-src</c>),
/// a stylesheet loses its <c>href</c> (kept in <c>data-fp-href</c>), and an embed is replaced by a
/// placeholder (<c>data-fp-placeholder</c>) holding the original in an inert <c>&lt;template&gt;</c> and a
/// form that allows the service, which works without JavaScript. The server decides: nothing gated
/// reaches the browser in executable form before consent.
/// </summary>
[HtmlTargetElement("script", Attributes = AttributeName)]
[HtmlTargetElement("link", Attributes = AttributeName)]
[HtmlTargetElement("iframe", Attributes = AttributeName)]
[HtmlTargetElement("img", Attributes = AttributeName)]
[HtmlTargetElement("video", Attributes = AttributeName)]
[HtmlTargetElement("audio", Attributes = AttributeName)]
[HtmlTargetElement("object", Attributes = AttributeName)]
public sealed class ConsentTagHelper(IStringLocalizer<ConsentTagHelper> texts) : TagHelper
{
    private const string AttributeName = "fp-consent";

    /// <summary>The category (<c>analytics</c>), service (<c>marketing/youtube</c>) or negation (<c>!marketing</c>) the element needs.</summary>
    [HtmlAttributeName(AttributeName)]
    public string Consent { get; set; } = string.Empty;

    /// <summary>The current view, for the request's consent state.</summary>
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    /// <summary>Runs before the framework's tag helpers (such as <c>asp-append-version</c>) see the element.</summary>
    public override int Order => -1000;

    /// <inheritdoc />
    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(output);
        output.Attributes.RemoveAll(AttributeName);

        var key = Consent.Trim();
        var onlyWhenRefused = key.StartsWith('!');
        if (onlyWhenRefused)
        {
            key = key[1..];
        }

        // Without the middleware there is no consent state: treat everything as not granted.
        var http = ViewContext.HttpContext;

        // Run now or revived later, a script needs the nonce a strict CSP asks for.
        if (output.TagName == "script" && !output.Attributes.ContainsName("nonce") && ConsentForms.Nonce(http) is { Length: > 0 } nonce)
        {
            output.Attributes.SetAttribute("nonce", nonce);
        }

        var granted = http.GetConsent()?.IsGranted(key) ?? false;
        if (onlyWhenRefused)
        {
            if (granted)
            {
                output.SuppressOutput();
            }

            return;
        }

        // "Allow once" without JavaScript: a short-lived token on this page view's URL.
        if (granted || http.RequestServices.GetRequiredService<AllowOnceTokens>().IsAllowed(http, key))
        {
            return;
        }

        switch (output.TagName)
        {
            case "script":
                Neutralize(output, "src", "data-fp-src", key);
                if (output.Attributes.TryGetAttribute("type", out var type))
                {
                    output.Attributes.SetAttribute("data-fp-type", type.Value);
                }

                output.Attributes.SetAttribute("type", "text/plain");
                break;
            case "link":
                Neutralize(output, "href", "data-fp-href", key);
                break;
            default:
                await ReplaceWithPlaceholderAsync(output, key).ConfigureAwait(false);
                break;
        }
    }

    private static void Neutralize(TagHelperOutput output, string attribute, string dataAttribute, string key)
    {
        if (output.Attributes.TryGetAttribute(attribute, out var value))
        {
            output.Attributes.Remove(value);
            output.Attributes.SetAttribute(dataAttribute, value.Value);
        }

        output.Attributes.SetAttribute("data-fp-consent", key);
    }

    private async Task ReplaceWithPlaceholderAsync(TagHelperOutput output, string key)
    {
        var httpContext = ViewContext.HttpContext;
        var services = httpContext.RequestServices;
        var category = key.Split('/')[0];
        var categories = httpContext.GetConsentCategories();
        var view = categories.FirstOrDefault(c => c.Key == category);
        var service = view?.Services.FirstOrDefault(s => s.Key == key);
        var label = service?.Title ?? view?.Title ?? category;

        // The original element, inert inside a <template>, for the script to revive on consent.
        // The app's encoder, so texts in other languages are written the way the rest of the page is.
        var encoder = services.GetService<HtmlEncoder>() ?? HtmlEncoder.Default;
        using var original = new StringWriter();
        var inner = await output.GetChildContentAsync().ConfigureAwait(false);
        original.Write('<');
        original.Write(output.TagName);
        foreach (var attribute in output.Attributes)
        {
            // Razor hands attribute values over already encoded (HtmlString): the attribute writes
            // them as they are and encodes only plain strings, so nothing is encoded twice.
            original.Write(' ');
            attribute.WriteTo(original, encoder);
        }

        original.Write('>');
        if (output.TagMode != TagMode.SelfClosing && output.TagName != "img")
        {
            inner.WriteTo(original, encoder);
            original.Write("</");
            original.Write(output.TagName);
            original.Write('>');
        }

        var tokens = ConsentForms.Tokens(httpContext);
        var returnUrl = ConsentForms.ReturnUrl(httpContext);

        var field = key.Contains('/', StringComparison.Ordinal) ? "service" : "category";
        output.TagName = "div";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.Clear();
        output.Attributes.SetAttribute("data-fp-placeholder", key);
        output.Attributes.SetAttribute("class", "fp-placeholder");
        var content = output.Content
            .SetHtmlContent($"<template data-fp-embed>{original}</template>")
            .AppendHtml($"<p>{encoder.Encode(texts["Blocked", label].Value)}</p>")
            .AppendHtml($"<form method=\"post\" action=\"{encoder.Encode(ConsentForms.Endpoint(httpContext, "consent"))}\">")
            .AppendHtml(HiddenFields.Input(tokens.FormFieldName, tokens.RequestToken, encoder));

        // "Always allow" keeps every choice already made and adds this service (or category).
        foreach (var granted in categories)
        {
            if (granted.Granted && !granted.Required)
            {
                content.AppendHtml(HiddenFields.Input("category", granted.Key, encoder));
            }

            foreach (var grantedService in granted.Services.Where(s => s.Granted))
            {
                content.AppendHtml(HiddenFields.Input("service", grantedService.Key, encoder));
            }
        }

        content.AppendHtml(HiddenFields.Input(field, key, encoder))
            .AppendHtml(HiddenFields.Input("allow", key, encoder))
            .AppendHtml(HiddenFields.Input("returnUrl", returnUrl, encoder))
            .AppendHtml($"<button type=\"submit\" name=\"choice\" value=\"once\" data-fp-allow=\"once\">{encoder.Encode(texts["AllowOnce"].Value)}</button>")
            .AppendHtml($"<button type=\"submit\" name=\"choice\" value=\"custom\" data-fp-allow=\"always\">{encoder.Encode(texts["AllowAlways", label].Value)}</button>")
            .AppendHtml("</form>");
    }
}
