using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>Renders FirstParty's partial views, which an app overrides by adding a view at the same path.</summary>
internal interface IConsentViewRenderer
{
    Task<IHtmlContent> RenderAsync(ViewContext viewContext, string viewName, object model);
}

internal sealed class ConsentViewRenderer : IConsentViewRenderer
{
    public const string Banner = "FirstParty/_ConsentBanner";
    public const string Preferences = "FirstParty/_ConsentPreferences";
    public const string PrivacyCentre = "FirstParty/_PrivacyCentre";

    public Task<IHtmlContent> RenderAsync(ViewContext viewContext, string viewName, object model)
    {
        // The framework's partial rendering: the app's /Pages/Shared or /Views/Shared copy wins over ours.
        var html = viewContext.HttpContext.RequestServices.GetRequiredService<IHtmlHelper>();
        ((IViewContextAware)html).Contextualize(viewContext);
        return html.PartialAsync(viewName, model);
    }
}
