using FirstParty.AspNetCore.Consent;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using FirstParty.AspNetCore.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>
/// <c>&lt;cookie-table /&gt;</c> (optionally <c>category="analytics"</c>): the cookie declaration table
/// of a cookie policy page, from the same declarations that gate and delete cookies: name, provider,
/// purpose, lifetime, category and first or third party, in the request's UI culture.
/// </summary>
[HtmlTargetElement("cookie-table", TagStructure = TagStructure.WithoutEndTag)]
public sealed class CookieTableTagHelper(IStringLocalizer<CookieTableTagHelper> texts) : TagHelper
{
    /// <summary>Only the cookies of this category; all categories when null.</summary>
    [HtmlAttributeName("category")]
    public string? Category { get; set; }

    /// <summary>The current view.</summary>
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    /// <inheritdoc />
    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var http = ViewContext.HttpContext;
        var catalogue = http.RequestServices.GetRequiredService<CookieCatalogue>();
        var encoder = http.RequestServices.GetService<HtmlEncoder>() ?? HtmlEncoder.Default;
        var categories = http.GetConsentCategories();
        var order = categories.Select((c, i) => (c.Key, i)).ToDictionary(x => x.Key, x => x.i, StringComparer.Ordinal);

        var rows = catalogue.Entries
            .Where(e => Category is null || e.Category == Category)
            .OrderBy(e => order.GetValueOrDefault(e.Category, int.MaxValue))
            .ThenBy(e => e.Cookie.Name, StringComparer.Ordinal);

        var html = new StringBuilder();
        html.Append("<thead><tr>");
        foreach (var header in new[] { "Name", "Provider", "Purpose", "Lifetime", "Category", "Party" })
        {
            html.Append("<th scope=\"col\">").Append(encoder.Encode(texts[header].Value)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var entry in rows)
        {
            var categoryTitle = categories.FirstOrDefault(c => c.Key == entry.Category)?.Title ?? entry.Category;
            var provider = entry.Cookie.Provider ?? entry.Provider;
            var thirdParty = entry.Cookie.Domain is { Length: > 0 };
            html.Append("<tr data-cookie=\"").Append(encoder.Encode(entry.Cookie.Name)).Append("\" data-category=\"").Append(encoder.Encode(entry.Category)).Append("\">")
                .Append("<td><code>").Append(encoder.Encode(entry.Cookie.Name)).Append("</code></td>")
                .Append("<td>").Append(encoder.Encode(provider ?? texts["ThisSite"].Value)).Append("</td>")
                .Append("<td>").Append(encoder.Encode(entry.Cookie.Purpose ?? string.Empty)).Append("</td>")
                .Append("<td>").Append(encoder.Encode(Lifetime(entry.Cookie.Lifetime))).Append("</td>")
                .Append("<td>").Append(encoder.Encode(categoryTitle)).Append("</td>")
                .Append("<td>").Append(encoder.Encode(texts[thirdParty ? "ThirdParty" : "FirstParty"].Value)).Append("</td>")
                .Append("</tr>");
        }

        html.Append("</tbody>");
        output.TagName = "table";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("class", "fp-cookie-table");
        output.Content.SetHtmlContent(html.ToString());
    }

    private string Lifetime(TimeSpan? lifetime) => lifetime switch
    {
        null => texts["Session"].Value,
        { TotalDays: >= 1 } d => texts["Days", Math.Round(d.TotalDays).ToString(CultureInfo.CurrentCulture)].Value,
        { TotalHours: >= 1 } h => texts["Hours", Math.Round(h.TotalHours).ToString(CultureInfo.CurrentCulture)].Value,
        var m => texts["Minutes", Math.Round(m.Value.TotalMinutes).ToString(CultureInfo.CurrentCulture)].Value,
    };
}
