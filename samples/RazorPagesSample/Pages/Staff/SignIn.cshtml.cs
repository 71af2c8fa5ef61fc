using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace RazorPagesSample.Pages.Staff;

/// <summary>
/// A development-only sign-in for the consent insights page: one fixed staff user, no password.
/// Outside Development the page does not exist (404), so a deployed sample has no way in.
/// </summary>
public sealed class SignInModel(IWebHostEnvironment environment) : PageModel
{
    public const string DevStaffName = "dev-staff";

    /// <summary>The role the sample's <c>FirstPartyStaff</c> policy requires.</summary>
    public const string StaffRole = "FirstPartyStaff";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public IActionResult OnGet() => environment.IsDevelopment() ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!environment.IsDevelopment())
        {
            return NotFound();
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, DevStaffName), new Claim(ClaimTypes.NameIdentifier, DevStaffName), new Claim(ClaimTypes.Role, StaffRole)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/_fp/insights");
    }

    public async Task<IActionResult> OnPostSignOutAsync()
    {
        if (!environment.IsDevelopment())
        {
            return NotFound();
        }

        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return RedirectToPage();
    }
}
