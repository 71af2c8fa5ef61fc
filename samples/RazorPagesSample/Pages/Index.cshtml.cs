using Microsoft.AspNetCore.Mvc.RazorPages;

namespace RazorPagesSample.Pages;

/// <summary>The home page; also the marker type integration tests use to find this sample.</summary>
public sealed class IndexModel : PageModel
{
    public void OnGet()
    {
    }
}
