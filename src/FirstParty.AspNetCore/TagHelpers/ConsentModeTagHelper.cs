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
    private static Tuple<ConsentModeOptions, string>? _listener;

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
        // Signal names are validated as [a-z_] and the data layer name as an identifier at startup,
        // so both are written without escaping.
        var layer = options.DataLayerName;
        var script = new StringBuilder(1024)
            .Append("window[\"").Append(layer).Append("\"]=window[\"").Append(layer).Append("\"]||[];")
            .Append("window.gtag=window.gtag||function(){window[\"").Append(layer).Append("\"].push(arguments)};")
            .Append("gtag('consent','default',{");
        foreach (var (signal, key) in options.Signals)
        {
            State(script, signal, policy.IsGranted(key, decision: null, consent.Regime, consent.GlobalPrivacyControl));
        }

        if (!consent.IsDecided && options.WaitForUpdate is { } wait)
        {
            script.Append("\"wait_for_update\":").Append(wait.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(',');
        }

        TrimComma(script).Append("});");
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
            script.Append("gtag('consent','update',{");
            foreach (var (signal, key) in options.Signals)
            {
                State(script, signal, consent.IsGranted(key));
            }

            TrimComma(script).Append("});");
        }

        return script.Append(Listener(options)).ToString();
    }

    private static StringBuilder TrimComma(StringBuilder script)
    {
        if (script[^1] == ',')
        {
            script.Length--;
        }

        return script;
    }

    private static void State(StringBuilder script, string signal, bool granted)
        => script.Append('"').Append(signal).Append(granted ? "\":\"granted\"," : "\":\"denied\",");

    /// <summary>The same for every request of an app: built once per options instance.</summary>
    private static string Listener(ConsentModeOptions options)
    {
        var cached = _listener;
        if (cached is not null && ReferenceEquals(cached.Item1, options))
        {
            return cached.Item2;
        }

        // The enhancement script raises firstparty:change with the new state after every choice.
        var listener = "(function(m){document.addEventListener('firstparty:change',function(e){var s=e.detail,u={},k,c;"
            + "for(k in m){c=m[k];u[k]=((c in s.services)?s.services[c]:s.categories[c])?'granted':'denied'}"
            + "gtag('consent','update',u)})})("
            + JsonSerializer.Serialize(new Dictionary<string, string>(options.Signals, StringComparer.Ordinal), TagHelperJsonContext.Default.DictionaryStringString)
            + ");";
        _listener = Tuple.Create(options, listener);
        return listener;
    }
}
