using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace RazorPagesSample.Pages;

/// <summary>A basket in the session: shopping works before and without any consent.</summary>
public sealed class BasketModel : PageModel
{
    private const string Key = "basket";

    public int Count { get; private set; }

    public void OnGet() => Count = HttpContext.Session.GetInt32(Key) ?? 0;

    public async Task<IActionResult> OnPostAsync()
    {
        var count = (HttpContext.Session.GetInt32(Key) ?? 0) + 1;
        HttpContext.Session.SetInt32(Key, count);

        // A server-side event: sent by the collector to every analytics vendor consent allows, with
        // the visitor's ids, even when the browser runs no JavaScript. Without consent nothing is sent.
        await HttpContext.TrackAsync("add_to_basket", new Dictionary<string, object?> { ["items"] = count });
        return RedirectToPage();
    }
}
