using FirstParty.AspNetCore.Internal;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Visitors;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FirstParty.AspNetCore.Tests;

/// <summary>Several valid consent cookies in one request: none may grant more than the most restrictive.</summary>
public sealed class MostRestrictiveConsentTests
{
    private const string Mine = "0f8fad5b-d9cb-469f-a165-70867728950e";
    private const string Planted = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    private const int Revision = 2;
    private const long Now = 1_000_000;

    private static readonly string[] Everything = ["necessary", "preferences", "analytics", "marketing"];

    private static readonly ConsentPolicy Policy = NewPolicy();

    private static ConsentPolicy NewPolicy()
    {
        var options = new FirstPartyOptions();
        options.Consent.Categories =
        [
            new() { Key = "necessary", Required = true },
            new() { Key = "preferences" },
            new() { Key = "analytics", Services = [new() { Key = "ga" }] },
            new() { Key = "marketing", SaleOrSharing = true, Services = [new() { Key = "youtube" }, new() { Key = "vimeo" }] },
        ];
        return new ConsentPolicy(Microsoft.Extensions.Options.Options.Create(options));
    }

    private static ConsentRecord Record(string id, string source, string[] granted, int revision = Revision, long decidedAt = Now - 100, long expiresAt = Now + 10_000, ConsentRegime regime = ConsentRegime.OptIn, string? region = "FR")
        => new(id, revision, decidedAt, expiresAt, source, regime, region, granted);

    [Fact]
    public void A_planted_acceptance_grants_nothing_the_refusal_refuses_whichever_comes_first()
    {
        var refusal = Record(Mine, ConsentSources.RejectAll, ["necessary"]);
        var acceptance = Record(Planted, ConsentSources.AcceptAll, Everything, region: "US");

        foreach (var combined in new[] { MostRestrictiveConsent.Combine(Policy, refusal, acceptance, Revision, Now), MostRestrictiveConsent.Combine(Policy, acceptance, refusal, Revision, Now) })
        {
            Assert.Equal(["necessary"], combined.Granted);
            Assert.Equal(ConsentSources.RejectAll, combined.Source);
            Assert.Equal("FR", combined.Region);
            Assert.Equal(Revision, combined.Revision);
        }
    }

    [Fact]
    public void Different_consent_ids_give_a_derived_id_that_is_neither_and_does_not_depend_on_order()
    {
        var a = MostRestrictiveConsent.Combine(Policy, Record(Mine, ConsentSources.RejectAll, ["necessary"]), Record(Planted, ConsentSources.AcceptAll, Everything), Revision, Now);
        var b = MostRestrictiveConsent.Combine(Policy, Record(Planted, ConsentSources.AcceptAll, Everything), Record(Mine, ConsentSources.RejectAll, ["necessary"]), Revision, Now);

        Assert.NotEqual(Mine, a.Id);
        Assert.NotEqual(Planted, a.Id);
        Assert.Equal(a.Id, b.Id);
        Assert.True(RandomIds.IsLowercaseUuid(a.Id));
        Assert.Equal('4', a.Id[14]);
    }

    [Fact]
    public void Copies_of_one_decision_keep_its_consent_id()
    {
        var combined = MostRestrictiveConsent.Combine(Policy, Record(Mine, ConsentSources.AcceptAll, Everything), Record(Mine, ConsentSources.Custom, ["necessary", "analytics"]), Revision, Now);

        Assert.Equal(Mine, combined.Id);
        Assert.Equal(["necessary", "analytics"], combined.Granted);
        Assert.Equal(ConsentSources.Custom, combined.Source);
    }

    [Fact]
    public void A_current_refusal_stays_current_beside_an_outdated_acceptance()
    {
        // Were the combination outdated, the state would be "undecided", which OptOut reads as granted.
        var refusal = Record(Mine, ConsentSources.RejectAll, ["necessary"], expiresAt: Now + 500);
        var outdated = Record(Planted, ConsentSources.AcceptAll, Everything, revision: 1, decidedAt: 1, expiresAt: Now + 90_000);

        var combined = MostRestrictiveConsent.Combine(Policy, outdated, refusal, Revision, Now);

        Assert.Equal(Revision, combined.Revision);
        Assert.Equal(Now + 500, combined.ExpiresAt);
        Assert.Equal(refusal.DecidedAt, combined.DecidedAt);
        Assert.Equal(["necessary"], combined.Granted);
    }

    [Fact]
    public void An_outdated_refusal_still_narrows_a_current_acceptance()
    {
        var refusal = Record(Mine, ConsentSources.RejectAll, ["necessary"], revision: 1);
        var expiredRefusal = Record(Mine, ConsentSources.RejectAll, ["necessary"], expiresAt: Now - 1, decidedAt: Now - 10);
        var acceptance = Record(Planted, ConsentSources.AcceptAll, Everything);

        Assert.Equal(["necessary"], MostRestrictiveConsent.Combine(Policy, acceptance, refusal, Revision, Now).Granted);
        Assert.Equal(["necessary"], MostRestrictiveConsent.Combine(Policy, acceptance, expiredRefusal, Revision, Now).Granted);
        Assert.Equal(Revision, MostRestrictiveConsent.Combine(Policy, acceptance, refusal, Revision, Now).Revision);
    }

    [Fact]
    public void Two_current_decisions_end_at_the_earlier_expiry()
    {
        var combined = MostRestrictiveConsent.Combine(Policy, 
            Record(Mine, ConsentSources.AcceptAll, Everything, decidedAt: Now - 50, expiresAt: Now + 9_000),
            Record(Planted, ConsentSources.AcceptAll, Everything, decidedAt: Now - 80, expiresAt: Now + 4_000),
            Revision,
            Now);

        Assert.Equal(Now + 4_000, combined.ExpiresAt);
        Assert.Equal(Now - 80, combined.DecidedAt);
    }

    [Fact]
    public void Outdated_decisions_combine_into_an_outdated_one()
    {
        var expired = Record(Mine, ConsentSources.AcceptAll, Everything, decidedAt: 10, expiresAt: Now - 1);
        var older = Record(Planted, ConsentSources.AcceptAll, Everything, revision: 1);

        var combined = MostRestrictiveConsent.Combine(Policy, expired, older, Revision, Now);

        Assert.False(combined.Revision == Revision && combined.ExpiresAt > Now);
    }

    [Fact]
    public void Services_chosen_one_by_one_are_intersected_with_the_category_they_follow_elsewhere()
    {
        var someServices = Record(Mine, ConsentSources.Custom, ["necessary", "marketing", "marketing/youtube"]);
        var wholeCategory = Record(Planted, ConsentSources.AcceptAll, Everything);
        var otherService = Record(Planted, ConsentSources.Custom, ["necessary", "marketing", "marketing/vimeo"]);
        var serviceOnly = Record(Planted, ConsentSources.Custom, ["necessary", "marketing/youtube"]);

        Assert.Equal(["necessary", "marketing", "marketing/youtube"], MostRestrictiveConsent.Combine(Policy, wholeCategory, someServices, Revision, Now).Granted);

        // No service survives: the category goes too, or every service would follow it.
        Assert.Equal(["necessary"], MostRestrictiveConsent.Combine(Policy, someServices, otherService, Revision, Now).Granted);

        Assert.Equal(["necessary", "marketing/youtube"], MostRestrictiveConsent.Combine(Policy, someServices, serviceOnly, Revision, Now).Granted);
    }

    [Fact]
    public void The_combination_is_made_under_an_opt_out_signal_only_when_both_were()
    {
        var underSignal = Record(Mine, ConsentSources.AcceptAll, Everything) with { MadeUnderOptOutSignal = true };
        var without = Record(Planted, ConsentSources.AcceptAll, Everything);

        Assert.False(MostRestrictiveConsent.Combine(Policy, underSignal, without, Revision, Now).MadeUnderOptOutSignal);
        Assert.False(MostRestrictiveConsent.Combine(Policy, without, underSignal, Revision, Now).MadeUnderOptOutSignal);
        Assert.True(MostRestrictiveConsent.Combine(Policy, underSignal, underSignal with { Id = Planted }, Revision, Now).MadeUnderOptOutSignal);
    }

    [Property(MaxTest = 2_000)]
    public Property The_combination_is_a_valid_record_granting_nothing_either_refuses()
        => Prop.ForAll(Arb.From(Records()), Arb.From(Records()), (a, b) =>
        {
            var combined = MostRestrictiveConsent.Combine(Policy, a, b, Revision, Now);
            var text = combined.Format();
            var parses = ConsentRecord.TryParse(text, out var parsed) && parsed.Format() == text;
            var keys = a.Granted.Concat(b.Granted).Concat(["necessary", "analytics", "marketing", "marketing/youtube", "marketing/vimeo"]).Distinct();
            var narrower = keys.All(k => !Grants(combined, k) || (Grants(a, k) && Grants(b, k)));
            var current = a.Revision == Revision && a.ExpiresAt > Now || b.Revision == Revision && b.ExpiresAt > Now;
            var staysCurrent = current == (combined.Revision == Revision && combined.ExpiresAt > Now);
            return parses && narrower && staysCurrent;
        });

    private static bool Grants(ConsentRecord record, string key) => Policy.Grants(record, key);

    private static Gen<ConsentRecord> Records()
    {
        var key = Gen.Elements("necessary", "preferences", "analytics", "marketing", "marketing/youtube", "marketing/vimeo", "analytics/ga");
        var granted = Gen.ArrayOf(key).Select(k => k.Distinct().ToArray());
        var id = Gen.Elements(Mine, Planted);
        var revision = Gen.Elements(1, Revision, 3);
        var decided = Gen.Choose(0, 2_000).Select(d => Now - 1_000 + d);
        var lifetime = Gen.Choose(0, 5_000);
        var source = Gen.Elements(ConsentSources.AcceptAll, ConsentSources.RejectAll, ConsentSources.Custom, ConsentSources.Gpc);
        return from i in id
               from r in revision
               from d in decided
               from l in lifetime
               from s in source
               from g in granted
               select new ConsentRecord(i, r, d, d + l, s, ConsentRegime.OptIn, null, g);
    }
}
