using FirstParty.AspNetCore.Cookies;
using Microsoft.Extensions.Primitives;

namespace FirstParty.AspNetCore.Tests;

public sealed class CookieHeaderScannerTests
{
    private const string Name = "_fp_id";

    private static List<string> Scan(StringValues headers, string name = Name)
    {
        var values = new List<string>();
        foreach (var value in new CookieHeaderScanner(headers, name))
        {
            values.Add(value.ToString());
        }

        return values;
    }

    [Fact]
    public void Finds_a_single_cookie_among_others()
        => Assert.Equal(["v1"], Scan("a=1; _fp_id=v1; b=2"));

    [Fact]
    public void Finds_every_duplicate_in_order_across_several_header_values()
    {
        var headers = new StringValues(["a=1; _fp_id=one; _fp_id=two", "b=2; _fp_id=three"]);
        Assert.Equal(["one", "two", "three"], Scan(headers));
    }

    [Fact]
    public void Returns_nothing_when_the_cookie_is_absent()
    {
        Assert.Empty(Scan("a=1; b=2"));
        Assert.Empty(Scan(StringValues.Empty));
        Assert.Empty(Scan(string.Empty));
        Assert.Empty(Scan(new StringValues([null, "a=1"])));
    }

    [Fact]
    public void Skips_null_header_entries()
        => Assert.Equal(["v"], Scan(new StringValues([null, "_fp_id=v"])));

    [Fact]
    public void Trims_spaces_around_names_and_values()
        => Assert.Equal(["v1", "v2", "v3"], Scan("   _fp_id = v1 ;_fp_id=v2;  _fp_id  =   v3   "));

    [Fact]
    public void Strips_surrounding_double_quotes()
        => Assert.Equal(["abc", "", "\"", "\"x", "x\""], Scan("_fp_id=\"abc\"; _fp_id=\"\"; _fp_id=\"; _fp_id=\"x; _fp_id=x\""));

    [Theory]
    [InlineData("_fp_id2=x")]
    [InlineData("x_fp_id=x")]
    [InlineData("_fp_i=x")]
    [InlineData("_FP_ID=x")]
    [InlineData("__fp_id=x")]
    [InlineData("_fp_ses=x")]
    [InlineData("a=_fp_id=x")]
    public void Ignores_names_that_only_share_a_prefix_or_differ_in_case(string header)
        => Assert.Empty(Scan(header));

    [Fact]
    public void Prefix_sharing_names_do_not_hide_the_real_cookie()
        => Assert.Equal(["real"], Scan("_fp_id2=x; x_fp_id=y; _fp_idx=z; _fp_id=real; _fp_ses=s"));

    [Fact]
    public void Handles_empty_pairs()
        => Assert.Equal(["v", "w"], Scan(";;a=1;;_fp_id=v;; ; _fp_id=w;"));

    [Fact]
    public void Ignores_pairs_without_an_equals_sign_or_with_an_empty_name()
        => Assert.Equal(["v"], Scan("_fp_id; =x; _fp_id=v; _fp_id"));

    [Fact]
    public void Returns_an_empty_value()
        => Assert.Equal(["", ""], Scan("_fp_id=; a=1; _fp_id= "));

    [Fact]
    public void Keeps_equals_signs_inside_the_value()
        => Assert.Equal(["a=b=="], Scan("_fp_id=a=b=="));

    [Fact]
    public void Scans_for_the_name_it_was_given()
    {
        const string Header = "_fp_id=visitor; _fp_ses=session";
        Assert.Equal(["visitor"], Scan(Header, "_fp_id"));
        Assert.Equal(["session"], Scan(Header, "_fp_ses"));
        Assert.Equal(["v"], Scan("__Host-fp=v", "__Host-fp"));
    }
}
