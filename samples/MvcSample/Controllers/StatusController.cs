using FirstParty.AspNetCore;
using Microsoft.AspNetCore.Mvc;

namespace MvcSample.Controllers;

/// <summary>Uptime probes: they must never mint visitors, so the whole controller opts out.</summary>
[DisableVisitorCookies]
[Route("status")]
public sealed class StatusController : Controller
{
    [HttpGet("")]
    public IActionResult Get() => Content("ok", "text/html");
}
