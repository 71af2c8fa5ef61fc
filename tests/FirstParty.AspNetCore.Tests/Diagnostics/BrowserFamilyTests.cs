using FirstParty.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Tests.Diagnostics;

/// <summary>The browser family the rescue metric is tagged with: brands first, then the User-Agent.</summary>
public sealed class BrowserFamilyTests
{
    private const string ChromeUa = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    [Theory]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", null, "safari")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", null, "safari")]
    [InlineData(ChromeUa, null, "chrome")]
    [InlineData(ChromeUa, "\"Google Chrome\";v=\"131\", \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"", "chrome")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", null, "chrome")]
    [InlineData(ChromeUa + " Edg/131.0.0.0", null, "edge")]
    [InlineData(ChromeUa, "\"Microsoft Edge\";v=\"131\", \"Chromium\";v=\"131\"", "edge")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", null, "firefox")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15", null, "firefox")]
    [InlineData(ChromeUa, "\"Brave\";v=\"131\", \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"", "brave")]
    [InlineData(ChromeUa + " OPR/115.0.0.0", "\"Opera\";v=\"115\", \"Chromium\";v=\"131\"", "other")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 360.0", null, "other")]
    [InlineData("", null, "other")]
    public void The_family_comes_from_the_brands_then_the_user_agent(string userAgent, string? brands, string expected)
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.UserAgent = userAgent;
        if (brands is not null)
        {
            http.Request.Headers["Sec-CH-UA"] = brands;
        }

        Assert.Equal(expected, BrowserFamily.Of(http.Request));
    }

    [Fact]
    public void Every_family_is_one_of_six_fixed_values()
        => Assert.Equal(["safari", "chrome", "edge", "firefox", "brave", "other"], BrowserFamily.All);
}
