using FirstParty.AspNetCore.Collector;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>A server-side event's URL, made absolute once for every vendor.</summary>
public sealed class TrackedEventPageTests
{
    [Theory]
    [InlineData("/thanks", "https://shop.example.com", "https://shop.example.com/thanks")]
    [InlineData("thanks?order=5", "https://shop.example.com", "https://shop.example.com/thanks?order=5")]
    [InlineData("https://www.example.org/a b", "https://shop.example.com", "https://www.example.org/a%20b")]
    [InlineData("http://www.example.org/", null, "http://www.example.org/")]
    [InlineData("/thanks", null, null)]
    [InlineData("javascript:alert(1)", "https://shop.example.com", "https://shop.example.com/javascript:alert(1)")]
    public void A_path_is_resolved_against_the_request_origin_and_an_absolute_http_url_kept(string url, string? origin, string? expected)
        => Assert.Equal(expected, TrackedEventPage.Absolute(url, origin));

    [Fact]
    public void The_library_name_carries_the_version_without_the_commit()
    {
        Assert.StartsWith("firstparty-dotnet/", TrackedEventPage.Library, StringComparison.Ordinal);
        Assert.DoesNotContain("+", TrackedEventPage.Library, StringComparison.Ordinal);
    }
}
