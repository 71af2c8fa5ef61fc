using FirstParty.AspNetCore;
using Microsoft.AspNetCore.Mvc;

namespace MvcSample.Controllers;

/// <summary>The bookshop's pages; also the marker type integration tests use to find this sample.</summary>
public sealed class HomeController : Controller
{
    public IActionResult Index() => View(HttpContext.GetVisitor());

    public IActionResult Catalogue() => View(HttpContext.GetVisitor());

    public IActionResult Error() => View();
}
