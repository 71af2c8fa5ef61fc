using System.Globalization;
using System.Text;
using System.Text.Json;
using FirstParty.AspNetCore.Consent;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>
/// The Consent Mode script of <c>&lt;consent-mode /&gt;</c>. Everything that depends only on the
/// options (the data layer set-up, the settings, the change listener) is built once; a request adds
/// only the signal states.
/// </summary>
internal sealed class ConsentModeScript
{
    private readonly ConsentPolicy _policy;
    private readonly ConsentModeOptions _options;
    private readonly string _prefix;
    private readonly string _settings;
    private readonly string _listener;

    public ConsentModeScript(IOptions<FirstPartyOptions> options, ConsentPolicy policy)
    {
        _policy = policy;
        _options = options.Value.ConsentMode;

        // Signal names are validated as [a-z_] and the data layer name as an identifier at startup,
        // so both are written without escaping.
        var layer = _options.DataLayerName;
        _prefix = $"window[\"{layer}\"]=window[\"{layer}\"]||[];window.gtag=window.gtag||function(){{window[\"{layer}\"].push(arguments)}};";
        _settings = (_options.AdsDataRedaction ? "gtag('set','ads_data_redaction',true);" : string.Empty)
            + (_options.UrlPassthrough ? "gtag('set','url_passthrough',true);" : string.Empty);

        // The enhancement script raises firstparty:change with the new state after every choice.
        _listener = "(function(m){document.addEventListener('firstparty:change',function(e){var s=e.detail,u={},k,c;"
            + "for(k in m){c=m[k];u[k]=((c in s.services)?s.services[c]:s.categories[c])?'granted':'denied'}"
            + "gtag('consent','update',u)})})("
            + JsonSerializer.Serialize(new Dictionary<string, string>(_options.Signals, StringComparer.Ordinal), TagHelperJsonContext.Default.DictionaryStringString)
            + ");";
    }

    public string Render(IConsentFeature consent)
    {
        var script = new StringBuilder(_prefix.Length + _listener.Length + 512)
            .Append(_prefix)
            .Append("gtag('consent','default',{");
        foreach (var (signal, key) in _options.Signals)
        {
            State(script, signal, _policy.IsGranted(key, decision: null, consent.Regime, consent.GlobalPrivacyControl));
        }

        if (!consent.IsDecided && _options.WaitForUpdate is { } wait)
        {
            script.Append("\"wait_for_update\":").Append(wait.ToString(CultureInfo.InvariantCulture)).Append(',');
        }

        TrimComma(script).Append("});").Append(_settings);
        if (consent.IsDecided)
        {
            script.Append("gtag('consent','update',{");
            foreach (var (signal, key) in _options.Signals)
            {
                State(script, signal, consent.IsGranted(key));
            }

            TrimComma(script).Append("});");
        }

        return script.Append(_listener).ToString();
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
}
