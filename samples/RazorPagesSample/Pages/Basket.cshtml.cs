using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace RazorPagesSample.Pages;

/// <summary>A basket in the session: shopping works before and without any consent.</summary>
public sealed class BasketModel : PageModel
{
    private const string Key = "basket";

    public int Count { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await TryLoadSessionAsync())
        {
            return SessionUnavailable();
        }

        Count = HttpContext.Session.GetInt32(Key) ?? 0;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        // Loaded asynchronously first: the session's synchronous load blocks a thread on the
        // distributed cache and, when it fails or times out, leaves a session that silently ignores
        // writes, which would lose the item while answering as if it had been added.
        if (!await TryLoadSessionAsync())
        {
            return SessionUnavailable();
        }

        var count = (HttpContext.Session.GetInt32(Key) ?? 0) + 1;
        HttpContext.Session.SetInt32(Key, count);

        // A server-side event: sent by the collector to every analytics vendor consent allows, with
        // the visitor's ids, even when the browser runs no JavaScript. Without consent nothing is sent.
        await HttpContext.TrackAsync("add_to_basket", new Dictionary<string, object?> { ["items"] = count });
        return RedirectToPage();
    }

    private async Task<bool> TryLoadSessionAsync()
    {
        try
        {
            await HttpContext.Session.LoadAsync(HttpContext.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !HttpContext.RequestAborted.IsCancellationRequested)
        {
            HttpContext.RequestServices.GetRequiredService<ILogger<BasketModel>>().LogWarning(ex, "The session store could not be read.");
            return false;
        }

        return HttpContext.Session.IsAvailable;
    }

    private StatusCodeResult SessionUnavailable()
    {
        // Better an honest "try again" than a basket that forgets what was put in it.
        Response.Headers.RetryAfter = "5";
        return StatusCode(StatusCodes.Status503ServiceUnavailable);
    }
}
