using FirstParty.AspNetCore.Consent;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests;

/// <summary>Whether a category is granted: regime × decision × opt-out signal × category.</summary>
public sealed class ConsentPolicyTests
{
    private const string Id = "0f8fad5b-d9cb-469f-a165-70867728950e";

    public enum Decision
    {
        Undecided,
        GrantedAll,
        RefusedAll,
    }

    private static readonly ConsentPolicy Policy = new(Options.Create(new FirstPartyOptions()));

    private static ConsentRecord? Record(Decision decision) => decision switch
    {
        Decision.GrantedAll => new(Id, 1, 0, 100, ConsentSources.AcceptAll, ConsentRegime.OptIn, null, ["necessary", "preferences", "analytics", "marketing"]),
        Decision.RefusedAll => new(Id, 1, 0, 100, ConsentSources.RejectAll, ConsentRegime.OptIn, null, ["necessary"]),
        _ => null,
    };

    /// <summary>The regime rules of docs/consent.md, written out independently of the implementation.</summary>
    private static bool Expected(ConsentRegime regime, Decision decision, bool signal, string category) => category switch
    {
        "necessary" => true,
        "bogus" => false,
        _ => decision switch
        {
            Decision.GrantedAll => true,
            Decision.RefusedAll => false,
            _ => regime != ConsentRegime.OptIn && !(signal && category == "marketing"),
        },
    };

    public static TheoryData<ConsentRegime, Decision, bool, string, bool> Matrix()
    {
        var data = new TheoryData<ConsentRegime, Decision, bool, string, bool>();
        foreach (var regime in Enum.GetValues<ConsentRegime>())
        {
            foreach (var decision in Enum.GetValues<Decision>())
            {
                foreach (var signal in new[] { false, true })
                {
                    foreach (var category in new[] { "necessary", "analytics", "marketing", "bogus" })
                    {
                        data.Add(regime, decision, signal, category, Expected(regime, decision, signal, category));
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void IsGranted_follows_the_rules(ConsentRegime regime, Decision decision, bool signal, string category, bool expected)
        => Assert.Equal(expected, Policy.IsGranted(category, Record(decision), regime, signal));

    [Fact]
    public void The_matrix_covers_every_combination()
        => Assert.Equal(3 * 3 * 2 * 4, Matrix().Count);

    [Theory]
    [InlineData(ConsentRegime.OptIn, false)]
    [InlineData(ConsentRegime.OptOut, true)]
    [InlineData(ConsentRegime.Implied, true)]
    public void Undecided_without_a_signal_grants_per_regime(ConsentRegime regime, bool optionalGranted)
    {
        Assert.True(Policy.IsGranted("necessary", null, regime, false));
        Assert.Equal(optionalGranted, Policy.IsGranted("preferences", null, regime, false));
        Assert.Equal(optionalGranted, Policy.IsGranted("analytics", null, regime, false));
        Assert.Equal(optionalGranted, Policy.IsGranted("marketing", null, regime, false));
    }

    [Fact]
    public void A_signal_refuses_only_sale_or_sharing_categories_when_undecided()
    {
        Assert.True(Policy.IsGranted("analytics", null, ConsentRegime.OptOut, true));
        Assert.True(Policy.IsGranted("preferences", null, ConsentRegime.OptOut, true));
        Assert.False(Policy.IsGranted("marketing", null, ConsentRegime.OptOut, true));
        Assert.False(Policy.IsGranted("marketing", null, ConsentRegime.Implied, true));
    }

    [Fact]
    public void An_explicit_choice_beats_the_signal()
        => Assert.True(Policy.IsGranted("marketing", Record(Decision.GrantedAll), ConsentRegime.OptOut, true));

    [Fact]
    public void A_required_category_is_granted_even_when_the_record_does_not_list_it()
    {
        var record = new ConsentRecord(Id, 1, 0, 100, ConsentSources.Custom, ConsentRegime.OptIn, null, []);
        Assert.True(Policy.IsGranted("necessary", record, ConsentRegime.OptIn, true));
        Assert.False(Policy.IsGranted("analytics", record, ConsentRegime.Implied, false));
    }

    [Fact]
    public void A_record_granting_an_unknown_category_does_not_grant_it()
    {
        var record = new ConsentRecord(Id, 1, 0, 100, ConsentSources.Custom, ConsentRegime.OptIn, null, ["bogus", "analytics"]);
        Assert.False(Policy.IsGranted("bogus", record, ConsentRegime.Implied, false));
        Assert.True(Policy.IsGranted("analytics", record, ConsentRegime.OptIn, false));
    }

    [Fact]
    public void Category_keys_are_case_sensitive()
    {
        Assert.False(Policy.IsGranted("Necessary", null, ConsentRegime.Implied, false));
        Assert.False(Policy.IsGranted("ANALYTICS", Record(Decision.GrantedAll), ConsentRegime.Implied, false));
        Assert.False(Policy.IsKnown("Analytics"));
    }

    [Fact]
    public void The_default_categories_are_necessary_preferences_analytics_marketing()
    {
        Assert.Equal(["necessary", "preferences", "analytics", "marketing"], Policy.Categories.Select(c => c.Key));
        Assert.True(Policy.IsRequired("necessary"));
        Assert.False(Policy.IsRequired("analytics"));
        Assert.False(Policy.IsRequired("bogus"));
        Assert.True(Policy.Categories.Single(c => c.Key == "marketing").SaleOrSharing);
        Assert.Equal(1, Policy.Categories.Count(c => c.SaleOrSharing));
    }

    [Fact]
    public void Configured_categories_replace_the_defaults()
    {
        var options = new FirstPartyOptions();
        options.Consent.Categories =
        [
            new() { Key = "essential", Required = true },
            new() { Key = "ads", SaleOrSharing = true },
            new() { Key = "stats" },
        ];
        var policy = new ConsentPolicy(Options.Create(options));

        Assert.Equal(["essential", "ads", "stats"], policy.Categories.Select(c => c.Key));
        Assert.False(policy.IsKnown("necessary"));
        Assert.False(policy.IsGranted("marketing", null, ConsentRegime.Implied, false));
        Assert.True(policy.IsGranted("essential", null, ConsentRegime.OptIn, true));
        Assert.False(policy.IsGranted("ads", null, ConsentRegime.OptOut, true));
        Assert.True(policy.IsGranted("stats", null, ConsentRegime.OptOut, true));
    }

    [Fact]
    public void The_feature_reports_every_category_and_follows_a_decision_made_during_the_request()
    {
        var feature = new ConsentFeature(Policy, null, null, ConsentRegime.OptOut, "US-CA", optOutSignal: true);
        Assert.False(feature.IsDecided);
        Assert.False(feature.IsStale);
        Assert.Null(feature.ConsentId);
        Assert.Null(feature.Source);
        Assert.Equal(
            new Dictionary<string, bool> { ["necessary"] = true, ["preferences"] = true, ["analytics"] = true, ["marketing"] = false },
            feature.Categories);

        feature.Apply(Record(Decision.RefusedAll)!);
        Assert.True(feature.IsDecided);
        Assert.Equal(Id, feature.ConsentId);
        Assert.Equal("reject-all", feature.Source);
        Assert.Equal(
            new Dictionary<string, bool> { ["necessary"] = true, ["preferences"] = false, ["analytics"] = false, ["marketing"] = false },
            feature.Categories);
    }

    [Fact]
    public void A_stale_feature_keeps_the_previous_consent_id_but_grants_per_regime()
    {
        var previous = Record(Decision.GrantedAll)!;
        var feature = new ConsentFeature(Policy, null, previous, ConsentRegime.OptIn, null, optOutSignal: false);
        Assert.False(feature.IsDecided);
        Assert.True(feature.IsStale);
        Assert.Equal(Id, feature.ConsentId);
        Assert.Null(feature.DecidedAt);
        Assert.False(feature.IsGranted("analytics"));
    }

    // ---- services (category/service) -----------------------------------------------------------

    private static ConsentPolicy PolicyWithServices()
    {
        var options = new FirstPartyOptions();
        options.Consent.Categories =
        [
            new() { Key = "necessary", Required = true, Services = [new() { Key = "session" }] },
            new() { Key = "analytics", Services = [new() { Key = "matomo" }, new() { Key = "snowplow" }] },
            new() { Key = "marketing", SaleOrSharing = true, Services = [new() { Key = "youtube" }] },
        ];
        return new ConsentPolicy(Options.Create(options));
    }

    private static ConsentRecord Granting(params string[] granted)
        => new(Id, 1, 0, 100, ConsentSources.Custom, ConsentRegime.OptIn, null, granted);

    [Fact]
    public void Services_are_known_as_category_slash_service()
    {
        var policy = PolicyWithServices();
        Assert.True(policy.IsKnown("analytics/matomo"));
        Assert.True(policy.IsKnown("marketing/youtube"));
        Assert.False(policy.IsKnown("analytics/youtube"));
        Assert.False(policy.IsKnown("matomo"));
        Assert.False(policy.IsKnown("analytics/"));
        Assert.Equal("analytics/matomo", ConsentPolicy.ServiceKey("analytics", "matomo"));
    }

    [Theory]
    [InlineData(ConsentRegime.OptIn, false, false, false)]
    [InlineData(ConsentRegime.OptOut, false, true, true)]
    [InlineData(ConsentRegime.OptOut, true, true, false)]
    [InlineData(ConsentRegime.Implied, true, true, false)]
    public void Undecided_a_service_follows_its_category(ConsentRegime regime, bool signal, bool matomo, bool youtube)
    {
        var policy = PolicyWithServices();
        Assert.Equal(matomo, policy.IsGranted("analytics/matomo", null, regime, signal));
        Assert.Equal(youtube, policy.IsGranted("marketing/youtube", null, regime, signal));
        Assert.True(policy.IsGranted("necessary/session", null, regime, signal));
    }

    [Fact]
    public void Unknown_services_are_never_granted()
    {
        var policy = PolicyWithServices();
        Assert.False(policy.IsGranted("analytics/ga", null, ConsentRegime.Implied, false));
        Assert.False(policy.IsGranted("analytics/ga", Granting("necessary", "analytics", "analytics/ga"), ConsentRegime.Implied, false));
        Assert.False(policy.IsGranted("bogus/matomo", null, ConsentRegime.Implied, false));
        Assert.False(policy.IsGranted("analytics/", null, ConsentRegime.Implied, false));
    }

    [Fact]
    public void A_granted_category_grants_its_services_when_none_was_chosen_one_by_one()
    {
        var policy = PolicyWithServices();
        var record = Granting("necessary", "analytics");
        Assert.True(policy.IsGranted("analytics/matomo", record, ConsentRegime.OptIn, false));
        Assert.True(policy.IsGranted("analytics/snowplow", record, ConsentRegime.OptIn, false));
        Assert.False(policy.IsGranted("marketing/youtube", record, ConsentRegime.Implied, false));
    }

    [Fact]
    public void Services_chosen_one_by_one_grant_only_those_even_with_the_category_refused()
    {
        var policy = PolicyWithServices();
        var record = Granting("necessary", "marketing/youtube", "analytics", "analytics/matomo");
        Assert.True(policy.IsGranted("marketing/youtube", record, ConsentRegime.OptIn, true));
        Assert.False(policy.IsGranted("marketing", record, ConsentRegime.OptIn, false));
        Assert.True(policy.IsGranted("analytics", record, ConsentRegime.OptIn, false));
        Assert.True(policy.IsGranted("analytics/matomo", record, ConsentRegime.OptIn, false));
        Assert.False(policy.IsGranted("analytics/snowplow", record, ConsentRegime.OptIn, false));
    }

    [Fact]
    public void Services_of_a_required_category_are_always_granted()
    {
        var policy = PolicyWithServices();
        Assert.True(policy.IsGranted("necessary/session", Granting("necessary", "analytics/matomo"), ConsentRegime.OptIn, true));
        Assert.True(policy.IsGranted("necessary/session", Granting(), ConsentRegime.OptIn, true));
    }

    // ---- receipts: one rule for the state and the proof ----------------------------------------

    [Fact]
    public void Purposes_split_every_category_and_service_by_the_same_rule_as_the_state()
    {
        var policy = PolicyWithServices();
        var accepted = Granting("necessary", "analytics", "marketing");
        var (granted, denied) = policy.Purposes(accepted);

        // A category granted without a services list grants its services; a required category's services are always granted.
        Assert.Equal(["necessary", "analytics", "marketing", "necessary/session", "analytics/matomo", "analytics/snowplow", "marketing/youtube"], granted);
        Assert.Empty(denied);

        var chosen = Granting("necessary", "analytics", "analytics/matomo");
        (granted, denied) = policy.Purposes(chosen);
        Assert.Equal(["necessary", "analytics", "necessary/session", "analytics/matomo"], granted);
        Assert.Equal(["marketing", "analytics/snowplow", "marketing/youtube"], denied);
        foreach (var key in policy.Categories.Select(c => c.Key).Concat(policy.ServiceKeys))
        {
            Assert.Equal(policy.IsGranted(key, chosen, ConsentRegime.OptOut, optOutSignal: true), granted.Contains(key));
        }
    }

    [Fact]
    public void A_decision_grants_required_categories_even_when_its_cookie_lists_none_and_never_an_unknown_key()
    {
        var policy = PolicyWithServices();
        var none = Granting();

        Assert.True(policy.Grants(none, "necessary"));
        Assert.True(policy.Grants(none, "necessary/session"));
        Assert.False(policy.Grants(none, "analytics"));
        Assert.False(policy.Grants(Granting("unknown", "analytics/unknown"), "unknown"));
        Assert.False(policy.Grants(Granting("analytics"), "analytics/unknown"));
    }

    [Fact]
    public void Sale_or_sharing_is_granted_by_its_category_or_by_one_of_its_services()
    {
        var policy = PolicyWithServices();

        Assert.True(policy.GrantsSaleOrSharing(Granting("necessary", "marketing")));
        Assert.True(policy.GrantsSaleOrSharing(Granting("necessary", "marketing/youtube")));
        Assert.False(policy.GrantsSaleOrSharing(Granting("necessary", "analytics")));
        Assert.True(policy.GrantsAnythingOptional(Granting("necessary", "analytics/matomo")));
        Assert.False(policy.GrantsAnythingOptional(Granting("necessary")));
    }
}
