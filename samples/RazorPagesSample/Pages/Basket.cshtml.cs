using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace RazorPagesSample.Pages;

/// <summary>A basket in the session: shopping works before and without any consent.</summary>
public sealed class BasketModel : PageModel
{
    private const string Key = "basket";

    public int Count { get; private set; }

    public void OnGet() => Count = HttpContext.Session.GetInt32(Key) ?? 0;

    public IActionResult OnPost()
    {
        HttpContext.Session.SetInt32(Key, (HttpContext.Session.GetInt32(Key) ?? 0) + 1);
        return RedirectToPage();
    }
}
