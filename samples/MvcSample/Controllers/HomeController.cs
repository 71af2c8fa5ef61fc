using FirstParty.AspNetCore;
using Microsoft.AspNetCore.Mvc;

namespace MvcSample.Controllers;

/// <summary>The bookshop's pages; also the marker type integration tests use to find this sample.</summary>
public sealed class HomeController : Controller
{
    public IActionResult Index() => View(HttpContext.GetVisitor());

    public IActionResult Catalogue()
    {
        ViewData["Wishlist"] = HttpContext.Session.GetInt32("wishlist") ?? 0;
        return View(HttpContext.GetVisitor());
    }

    /// <summary>Post-redirect-get with TempData: works before any consent decision.</summary>
    [HttpPost]
    [ValidateAntiForgeryToken]
    public IActionResult Reserve(string title)
    {
        TempData["Message"] = $"Reserved: {title}.";
        return RedirectToAction(nameof(Index));
    }

    /// <summary>A wishlist counter in the session, a necessary cookie.</summary>
    [HttpPost]
    [ValidateAntiForgeryToken]
    public IActionResult Wish()
    {
        HttpContext.Session.SetInt32("wishlist", (HttpContext.Session.GetInt32("wishlist") ?? 0) + 1);
        return RedirectToAction(nameof(Catalogue));
    }

    public IActionResult Privacy() => View();

    public IActionResult CookieSettings() => View();

    public IActionResult Error() => View();
}
