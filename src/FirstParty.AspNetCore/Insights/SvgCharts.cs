using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace FirstParty.AspNetCore.Insights;

/// <summary>
/// Inline SVG bar charts drawn on the server: shapes only, coloured by class from the page's
/// stylesheet (no style attribute, no script), so they pass a strict Content-Security-Policy.
/// Each chart has a title for assistive technology and each bar a tooltip with its numbers.
/// </summary>
internal static class SvgCharts
{
    private const int Width = 640;
    private const int LabelWidth = 150;
    private const int RowHeight = 22;

    /// <summary>One segment of a stacked bar.</summary>
    public readonly record struct Segment(string Key, long Value);

    /// <summary>One bar: a label and its segments (a single segment for a plain bar).</summary>
    public readonly record struct Bar(string Label, IReadOnlyList<Segment> Segments);

    /// <summary>
    /// Horizontal bars, one row each. Stacked bars show shares (each row fills the width);
    /// plain bars are scaled to the largest row.
    /// </summary>
    public static void Horizontal(StringBuilder html, HtmlEncoder encoder, string id, string title, IReadOnlyList<Bar> bars, bool shares)
    {
        var height = Math.Max(1, bars.Count) * RowHeight + 4;
        var max = Math.Max(1, bars.Count == 0 ? 1 : bars.Max(b => b.Segments.Sum(s => s.Value)));
        var plot = Width - LabelWidth - 60;
        Open(html, encoder, id, title, height);
        for (var row = 0; row < bars.Count; row++)
        {
            var bar = bars[row];
            var total = bar.Segments.Sum(s => s.Value);
            var y = row * RowHeight + 2;
            html.Append(CultureInfo.InvariantCulture, $"<text class=\"fpi-label\" x=\"{LabelWidth - 6}\" y=\"{y + 15}\" text-anchor=\"end\">{encoder.Encode(bar.Label)}</text>");
            double x = LabelWidth;
            foreach (var segment in bar.Segments)
            {
                if (segment.Value <= 0)
                {
                    continue;
                }

                var w = shares ? plot * (double)segment.Value / Math.Max(1, total) : plot * (double)segment.Value / max;
                var share = total == 0 ? 0 : 100.0 * segment.Value / total;
                html.Append(CultureInfo.InvariantCulture, $"<rect class=\"fpi-bar fpi-{Css(segment.Key)}\" data-key=\"{encoder.Encode(segment.Key)}\" x=\"{x:0.##}\" y=\"{y}\" width=\"{Math.Max(w, 1):0.##}\" height=\"{RowHeight - 6}\">")
                    .Append(CultureInfo.InvariantCulture, $"<title>{encoder.Encode(bar.Label)}, {encoder.Encode(segment.Key)}: {segment.Value} ({share:0}%)</title></rect>");
                x += w;
            }

            html.Append(CultureInfo.InvariantCulture, $"<text class=\"fpi-value\" x=\"{(shares ? LabelWidth + plot : x) + 6:0.##}\" y=\"{y + 15}\">{total}</text>");
        }

        html.Append("</svg>");
    }

    /// <summary>Vertical stacked bars of shares, one per day, oldest on the left.</summary>
    public static void Daily(StringBuilder html, HtmlEncoder encoder, string id, string title, IReadOnlyList<Bar> days)
    {
        const int plotHeight = 160;
        const int top = 8;
        const int left = 40;
        var height = plotHeight + top + 24;
        var step = (Width - left - 8) / (double)Math.Max(1, days.Count);
        Open(html, encoder, id, title, height);
        foreach (var percent in (ReadOnlySpan<int>)[0, 50, 100])
        {
            var y = top + plotHeight - (plotHeight * percent / 100.0);
            html.Append(CultureInfo.InvariantCulture, $"<line class=\"fpi-grid\" x1=\"{left}\" x2=\"{Width - 8}\" y1=\"{y:0.##}\" y2=\"{y:0.##}\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text class=\"fpi-axis\" x=\"{left - 4}\" y=\"{y + 4:0.##}\" text-anchor=\"end\">{percent}%</text>");
        }

        for (var i = 0; i < days.Count; i++)
        {
            var day = days[i];
            var total = day.Segments.Sum(s => s.Value);
            var x = left + (i * step);
            var y = (double)(top + plotHeight);
            foreach (var segment in day.Segments)
            {
                if (segment.Value <= 0 || total == 0)
                {
                    continue;
                }

                var h = plotHeight * (double)segment.Value / total;
                y -= h;
                html.Append(CultureInfo.InvariantCulture, $"<rect class=\"fpi-bar fpi-{Css(segment.Key)}\" data-key=\"{encoder.Encode(segment.Key)}\" x=\"{x + 1:0.##}\" y=\"{y:0.##}\" width=\"{Math.Max(step - 2, 1):0.##}\" height=\"{h:0.##}\">")
                    .Append(CultureInfo.InvariantCulture, $"<title>{encoder.Encode(day.Label)}, {encoder.Encode(segment.Key)}: {segment.Value} of {total} ({100.0 * segment.Value / total:0}%)</title></rect>");
            }

            if (days.Count <= 10 || i % (days.Count / 5) == 0 || i == days.Count - 1)
            {
                html.Append(CultureInfo.InvariantCulture, $"<text class=\"fpi-axis\" x=\"{x + (step / 2):0.##}\" y=\"{height - 6}\" text-anchor=\"middle\">{encoder.Encode(day.Label[5..])}</text>");
            }
        }

        html.Append("</svg>");
    }

    /// <summary>A class-name-safe form of a key: letters, digits and dashes.</summary>
    public static string Css(string key)
    {
        var safe = new StringBuilder(key.Length);
        foreach (var c in key)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-');
        }

        return safe.ToString();
    }

    private static void Open(StringBuilder html, HtmlEncoder encoder, string id, string title, int height)
        => html.Append(CultureInfo.InvariantCulture, $"<svg class=\"fpi-chart\" id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">")
            .Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">{encoder.Encode(title)}</title>");
}
