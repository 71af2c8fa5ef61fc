using System.Text.Encodings.Web;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>
/// <c>&lt;consent-banner /&gt;</c>, usually in the layout: the consent banner, rendered by the server
/// only when a decision is needed (or the person asked to change it with <c>?fp-preferences</c>),
/// never for crawlers. Plain forms that work without JavaScript; FirstParty's script and stylesheet
/// enhance them. After a decision the page carries no banner at all: the script fetches it from
/// the <c>data-fp-open-preferences</c> link when the person asks.
/// </summary>
[HtmlTargetElement("consent-banner", TagStructure = TagStructure.WithoutEndTag)]
public sealed class ConsentBannerTagHelper : TagHelper
{
    internal const string ScriptPath = "/_content/FirstParty.AspNetCore/firstparty.js";
    internal const string StylePath = "/_content/FirstParty.AspNetCore/firstparty.css";

    /// <summary>The layouts as the markup and the metrics name them, made once.</summary>
    private static readonly string[] LayoutNames = [.. Enum.GetNames<ConsentBannerLayout>().Select(n => n.ToLowerInvariant())];

    private ConsentBannerLayout? _layout;

    /// <summary>Overrides <c>FirstParty:Banner:Layout</c> for this banner: <c>layout="Box"</c>.</summary>
    [HtmlAttributeName("layout")]
    public ConsentBannerLayout Layout
    {
        get => _layout ?? ConsentBannerLayout.Bar;
        set => _layout = value;
    }

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
        var services = http.RequestServices;
        if (http.GetConsent() is not { } consent || services.GetRequiredService<CrawlerDetector>().IsCrawler(http.Request.Headers.UserAgent))
        {
            // Without the middleware there is nothing to decide; crawlers never decide.
            output.SuppressOutput();
            return;
        }

        var options = ConsentForms.Options(http);
        var requested = ConsentForms.PreferencesRequested(http);
        var live = !consent.IsDecided || requested;
        var encoder = services.GetService<HtmlEncoder>() ?? HtmlEncoder.Default;
        var texts = services.GetRequiredService<ConsentUiTexts>();
        var nonce = ConsentForms.Nonce(http);
        var config = ConsentScriptConfig.Create(http, consent, services.GetRequiredService<ConsentPolicy>(), services.GetRequiredService<CookieCatalogue>(), texts.Get("Saved", System.Globalization.CultureInfo.CurrentUICulture));

        var content = output.Content;
        if (options.Banner.IncludeAssets)
        {
            content.AppendHtml($"<link rel=\"stylesheet\" href=\"{encoder.Encode(AssetUrl(StylePath))}\" />");
        }

        content.AppendHtml("<script type=\"application/json\" id=\"fp-config\">").AppendHtml(config.ToJson()).AppendHtml("</script>");
        if (live)
        {
            var model = ConsentForms.Create(http, "fp-banner", withToken: true, preferencesOpen: requested, _layout)!;

            // The Blazor components render through this tag helper too, so both count here.
            services.GetRequiredService<FirstPartyMetrics>().BannerShown((uint)model.Layout < (uint)LayoutNames.Length ? LayoutNames[(int)model.Layout] : MetricTags.Unknown, consent.Region, consent.Revision, System.Globalization.CultureInfo.CurrentUICulture);
            content.AppendHtml(await services.GetRequiredService<IConsentViewRenderer>()
                .RenderAsync(ViewContext, ConsentViewRenderer.Banner, model).ConfigureAwait(false));
        }

        content.AppendHtml("<div data-fp-status role=\"status\" class=\"fp-visually-hidden\"></div>");
        if (options.Banner.IncludeAssets)
        {
            content.AppendHtml($"<script src=\"{encoder.Encode(AssetUrl(ScriptPath))}\" defer{NonceAttribute(nonce, encoder)}></script>");
        }
    }

    internal static string NonceAttribute(string? nonce, HtmlEncoder encoder)
        => string.IsNullOrEmpty(nonce) ? string.Empty : $" nonce=\"{encoder.Encode(nonce)}\"";

    private string AssetUrl(string path)
    {
        var http = ViewContext.HttpContext;
        var versions = http.RequestServices.GetService<Microsoft.AspNetCore.Mvc.ViewFeatures.IFileVersionProvider>();
        return versions?.AddFileVersionToPath(http.Request.PathBase, path) ?? http.Request.PathBase + path;
    }
}
