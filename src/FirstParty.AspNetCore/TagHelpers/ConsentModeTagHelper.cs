using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FirstParty.AspNetCore.Consent;
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
        output.Content.SetHtmlContent(Script(consent, http.RequestServices.GetRequiredService<ConsentPolicy>(), ConsentForms.Options(http).ConsentMode));
    }

    internal static string Script(IConsentFeature consent, ConsentPolicy policy, ConsentModeOptions options)
    {
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
        var current = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (signal, key) in options.Signals)
        {
            defaults[signal] = State(policy.IsGranted(key, decision: null, consent.Regime, consent.GlobalPrivacyControl));
            current[signal] = State(consent.IsGranted(key));
        }

        var layer = JsonSerializer.Serialize(options.DataLayerName, TagHelperJsonContext.Default.String);
        var script = new StringBuilder(512)
            .Append("window[").Append(layer).Append("]=window[").Append(layer).Append("]||[];")
            .Append("window.gtag=window.gtag||function(){window[").Append(layer).Append("].push(arguments)};")
            .Append("gtag('consent','default',").Append(Json(defaults, consent.IsDecided ? null : options.WaitForUpdate)).Append(");");
        if (options.AdsDataRedaction)
        {
            script.Append("gtag('set','ads_data_redaction',true);");
        }

        if (options.UrlPassthrough)
        {
            script.Append("gtag('set','url_passthrough',true);");
        }

        if (consent.IsDecided)
        {
            script.Append("gtag('consent','update',").Append(Json(current, null)).Append(");");
        }

        // The enhancement script raises firstparty:change with the new state after every choice.
        script.Append("(function(m){document.addEventListener('firstparty:change',function(e){var s=e.detail,u={},k,c;")
            .Append("for(k in m){c=m[k];u[k]=((c in s.services)?s.services[c]:s.categories[c])?'granted':'denied'}")
            .Append("gtag('consent','update',u)})})(")
            .Append(JsonSerializer.Serialize(new Dictionary<string, string>(options.Signals, StringComparer.Ordinal), TagHelperJsonContext.Default.DictionaryStringString))
            .Append(");");
        return script.ToString();
    }

    private static string State(bool granted) => granted ? "granted" : "denied";

    private static string Json(Dictionary<string, string> states, int? waitForUpdate)
    {
        var json = JsonSerializer.Serialize(states, TagHelperJsonContext.Default.DictionaryStringString);
        return waitForUpdate is { } wait ? json[..^1] + ",\"wait_for_update\":" + wait.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}" : json;
    }
}
