using System.Globalization;
using System.Text.Encodings.Web;
using FirstParty.AspNetCore.TagHelpers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewEngines;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.Components;

/// <summary>
/// Runs the tag helpers outside a Razor view, so a component's markup is the tag helper's, from the
/// same views and texts. The view context is the smallest one the partial views need: the request,
/// its route data, view data and temp data, and no view of its own.
/// </summary>
internal static class TagHelperMarkup
{
    private const string EnhanceNav = "data-enhance-nav";

    public static async Task<string?> RenderAsync(HttpContext http, MarkupRequest request)
    {
        var services = http.RequestServices;
        var viewContext = CreateViewContext(http);
        switch (request.Kind)
        {
            case MarkupKind.PreferencesUrl:
                return ConsentForms.PreferencesUrl(http);
            case MarkupKind.Banner:
                var banner = new ConsentBannerTagHelper { ViewContext = viewContext };
                if (Enum.TryParse<ConsentBannerLayout>(request.Argument, ignoreCase: true, out var layout))
                {
                    banner.Layout = layout;
                }

                return await RunAsync(http, banner, "consent-banner", TagMode.SelfClosing).ConfigureAwait(false);
            case MarkupKind.Preferences:
                return await RunAsync(http, new ConsentPreferencesTagHelper { ViewContext = viewContext }, "consent-preferences", TagMode.SelfClosing).ConfigureAwait(false);
            case MarkupKind.PreferencesButton:
                // Blazor's enhanced navigation would follow the link before firstparty.js opens the
                // preferences in place, and merge a second banner into the page.
                return await RunAsync(http, new ConsentPreferencesButtonTagHelper { ViewContext = viewContext }, "consent-preferences-button", TagMode.StartTagAndEndTag, [new TagHelperAttribute(EnhanceNav, "false")]).ConfigureAwait(false);
            case MarkupKind.PrivacyCentre:
                return await RunAsync(http, new PrivacyCentreTagHelper { ViewContext = viewContext }, "privacy-centre", TagMode.SelfClosing).ConfigureAwait(false);
            case MarkupKind.ConsentMode:
                return await RunAsync(http, new ConsentModeTagHelper { ViewContext = viewContext }, "consent-mode", TagMode.SelfClosing).ConfigureAwait(false);
            case MarkupKind.CookieTable:
                var table = ActivatorUtilities.CreateInstance<CookieTableTagHelper>(services);
                table.ViewContext = viewContext;
                table.Category = request.Argument;
                return await RunAsync(http, table, "cookie-table", TagMode.SelfClosing).ConfigureAwait(false);
            case MarkupKind.TrackingSnippet:
                var snippet = ActivatorUtilities.CreateInstance<TrackingSnippetTagHelper>(services);
                snippet.ViewContext = viewContext;
                snippet.Provider = request.Argument;
                return await RunAsync(http, snippet, "tracking-snippet", TagMode.SelfClosing).ConfigureAwait(false);
            case MarkupKind.Gated when request.TagName is { Length: > 0 } tagName:
                var gate = ActivatorUtilities.CreateInstance<ConsentTagHelper>(services);
                gate.ViewContext = viewContext;
                gate.Consent = request.Argument ?? string.Empty;
                var attributes = new TagHelperAttributeList();
                foreach (var (name, value) in request.Attributes ?? [])
                {
                    attributes.Add(value is null ? new TagHelperAttribute(name) : new TagHelperAttribute(name, value));
                }

                // Inline code is written as it is, like a script in a view, but it cannot close its element early.
                var content = tagName == "script" ? request.Content?.Replace("</", "<\\/", StringComparison.Ordinal) : request.Content;
                return await RunAsync(http, gate, tagName, TagMode.StartTagAndEndTag, attributes, content).ConfigureAwait(false);
            default:
                return null;
        }
    }

    private static ViewContext CreateViewContext(HttpContext http)
    {
        var services = http.RequestServices;
        var action = new ActionContext(http, http.GetRouteData(), new ActionDescriptor());
        var viewData = new ViewDataDictionary(services.GetRequiredService<IModelMetadataProvider>(), new ModelStateDictionary());
        var tempData = services.GetRequiredService<ITempDataDictionaryFactory>().GetTempData(http);
        return new ViewContext(action, NoView.Instance, viewData, tempData, TextWriter.Null, new HtmlHelperOptions());
    }

    private static async Task<string> RunAsync(HttpContext http, ITagHelper helper, string tagName, TagMode mode, TagHelperAttributeList? attributes = null, string? childContent = null)
    {
        var all = attributes ?? [];
        var context = new TagHelperContext(tagName, new TagHelperAttributeList(all), new Dictionary<object, object>(), Guid.NewGuid().ToString("N"));
        var output = new TagHelperOutput(tagName, new TagHelperAttributeList(all), (_, _) =>
            Task.FromResult<TagHelperContent>(new DefaultTagHelperContent().SetHtmlContent(childContent ?? string.Empty)))
        {
            TagMode = mode,
        };

        helper.Init(context);
        await helper.ProcessAsync(context, output).ConfigureAwait(false);
        if (!output.IsContentModified)
        {
            output.Content.SetHtmlContent(await output.GetChildContentAsync().ConfigureAwait(false));
        }

        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        output.WriteTo(writer, http.RequestServices.GetService<HtmlEncoder>() ?? HtmlEncoder.Default);
        return writer.ToString();
    }

    /// <summary>The partial views render into their own writer; the context only needs a view to name.</summary>
    private sealed class NoView : IView
    {
        public static readonly NoView Instance = new();

        public string Path => string.Empty;

        public Task RenderAsync(ViewContext context) => Task.CompletedTask;
    }
}
