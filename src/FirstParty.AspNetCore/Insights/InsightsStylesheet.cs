namespace FirstParty.AspNetCore.Insights;

/// <summary>
/// The page's stylesheet, served from the page's own path (behind the same policy) so the page
/// needs neither inline styles nor the app's static files.
/// </summary>
internal static class InsightsStylesheet
{
    public const string Path = "/insights.css";

    public const string Css = """
        :root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1f;background:#fff}
        body{margin:0 auto;max-width:72rem;padding:1rem 1.5rem 3rem;line-height:1.45}
        h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid #d0d0d7;padding-bottom:.25rem}h3{font-size:1rem;margin:1.25rem 0 .25rem}
        .fpi-note{color:#4a4a55;font-size:.9rem}
        .fpi-message{background:#e8f4ea;border:1px solid #2d6a3e;padding:.5rem .75rem;border-radius:4px}
        .fpi-error{background:#fbeaea;border:1px solid #8a1f1f;padding:.5rem .75rem;border-radius:4px}
        form.fpi-inline{display:inline}
        .fpi-filters,.fpi-search{display:flex;flex-wrap:wrap;gap:.75rem;align-items:end;margin:.5rem 0}
        label{display:flex;flex-direction:column;font-size:.85rem;gap:.2rem}
        input,select,button{font:inherit;padding:.3rem .5rem;border:1px solid #6e6e78;border-radius:4px;background:#fff;color:#1d1d1f}
        button{background:#1f3a93;border-color:#1f3a93;color:#fff;cursor:pointer}
        button.fpi-danger{background:#8a1f1f;border-color:#8a1f1f}
        table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
        th,td{border-bottom:1px solid #d0d0d7;padding:.3rem .6rem;text-align:left;vertical-align:top}
        td.fpi-num,th.fpi-num{text-align:right;font-variant-numeric:tabular-nums}
        code{font-size:.85em;word-break:break-all}
        .fpi-chart{max-width:100%;height:auto;display:block;margin:.25rem 0}
        .fpi-label,.fpi-value,.fpi-axis{font-size:12px;fill:#1d1d1f}
        .fpi-grid{stroke:#d0d0d7;stroke-width:1}
        .fpi-legend{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0;margin:.25rem 0;font-size:.85rem}
        .fpi-swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle;border-radius:2px}
        .fpi-accept-all{fill:#2d6a3e;background:#2d6a3e}.fpi-reject-all{fill:#8a1f1f;background:#8a1f1f}
        .fpi-custom{fill:#1f3a93;background:#1f3a93}.fpi-withdraw{fill:#7a4f00;background:#7a4f00}
        .fpi-gpc{fill:#5b2c83;background:#5b2c83}.fpi-api{fill:#4a4a55;background:#4a4a55}
        .fpi-impressions{fill:#6e6e78;background:#6e6e78}.fpi-first{fill:#2d6a3e;background:#2d6a3e}
        .fpi-second{fill:#1f3a93;background:#1f3a93}.fpi-none{fill:#7a4f00;background:#7a4f00}
        .fpi-rescued{fill:#1f3a93;background:#1f3a93}
        .fpi-bar{fill-opacity:.95}
        """;
}
