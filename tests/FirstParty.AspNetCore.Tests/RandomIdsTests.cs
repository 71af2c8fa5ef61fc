using FirstParty.AspNetCore.Internal;
using System.Text.RegularExpressions;
using FirstParty.AspNetCore.Visitors;

namespace FirstParty.AspNetCore.Tests;

public sealed partial class RandomIdsTests
{
    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    internal static partial Regex UuidV4();

    [Fact]
    public void NewUuid_returns_distinct_lowercase_version_4_uuids()
    {
        var ids = Enumerable.Range(0, 2000).Select(_ => RandomIds.NewUuid()).ToList();

        Assert.All(ids, id => Assert.Matches(UuidV4(), id));
        Assert.All(ids, id => Assert.True(RandomIds.IsLowercaseUuid(id)));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());

        // 122 random bits: every hex position except the fixed version nibble varies.
        Assert.True(ids.Select(id => id[0]).Distinct().Count() > 10);
        Assert.True(ids.Select(id => id[19]).Distinct().Count() == 4);
    }

    [Fact]
    public void Ids_drawn_on_many_threads_at_once_are_all_distinct()
    {
        // Each thread draws from its own block of CSPRNG output, refilled many times here: a block
        // shared or handed out twice would repeat ids across threads or across refills.
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (var i = 0; i < 500; i++)
            {
                ids.Add(RandomIds.NewUuid());
            }
        });

        Assert.Equal(4000, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Fill_never_hands_out_the_same_bytes_twice_and_serves_other_lengths_directly()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Span<byte> id = stackalloc byte[16];
        for (var i = 0; i < 200; i++)
        {
            RandomIds.Fill(id);
            Assert.True(seen.Add(Convert.ToHexString(id)));
        }

        Span<byte> longer = stackalloc byte[40];
        RandomIds.Fill(longer);
        Assert.True(longer.ContainsAnyExcept((byte)0));
    }

    [Theory]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e", true)]
    [InlineData("00000000-0000-0000-0000-000000000000", true)]
    [InlineData("0F8FAD5B-D9CB-469F-A165-70867728950E", false)]
    [InlineData("0f8fad5bd9cb469fa16570867728950e", false)]
    [InlineData("{0f8fad5b-d9cb-469f-a165-70867728950e}", false)]
    [InlineData(" 0f8fad5b-d9cb-469f-a165-70867728950e", false)]
    [InlineData("", false)]
    public void IsLowercaseUuid_accepts_only_the_hyphenated_lowercase_form(string value, bool expected)
        => Assert.Equal(expected, RandomIds.IsLowercaseUuid(value));
}
