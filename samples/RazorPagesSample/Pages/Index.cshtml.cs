using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace RazorPagesSample.Pages;

/// <summary>The home page; also the marker type integration tests use to find this sample.</summary>
public sealed class IndexModel : PageModel
{
    public void OnGet()
    {
    }

    /// <summary>Post-redirect-get with a TempData message: works before any consent decision.</summary>
    public IActionResult OnPostSubscribe(string email)
    {
        TempData["Message"] = $"Thanks! Roast news will go to {email}.";
        return RedirectToPage();
    }

    /// <summary>
    /// Writes a cookie the configuration declares under "preferences": FirstParty drops it unless
    /// that category is granted, and deletes it when the category is refused later.
    /// </summary>
    public IActionResult OnPostTheme(string theme)
    {
        if (theme is "light" or "dark")
        {
            Response.Cookies.Append("theme", theme, new CookieOptions { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax });
        }

        return RedirectToPage();
    }
}
