using System.Net;
using System.Xml.Linq;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.Tests;

/// <summary>
/// The key store cannot be read (the database holding the keys is down when an instance starts):
/// pages keep answering, without the cookies that need a key, and the outcome is logged.
/// </summary>
public sealed class KeyRingUnreadableTests
{
    [Fact]
    public async Task A_page_answers_without_the_visitor_cookies_and_says_why_when_no_key_can_be_read()
    {
        var repository = new SwitchableRepository { Down = true };
        await using var app = await TestApp.StartAsync(o => o.ConfigureDataProtection = dp =>
            dp.Services.Configure<KeyManagementOptions>(k => k.XmlRepository = repository));

        var visit = await app.NavigateAsync("/");

        Assert.Equal(HttpStatusCode.OK, visit.Status);
        Assert.Null(visit.Cookie(TestApp.VisitorCookie));
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Id.Id == 47);

        // The store comes back: the next page mints the visitor as usual.
        repository.Down = false;
        var later = await app.NavigateAsync("/");
        Assert.NotNull(later.Cookie(TestApp.VisitorCookie));
    }

    [Fact]
    public async Task A_page_with_the_opt_out_signal_answers_when_the_signal_cannot_be_recorded()
    {
        var repository = new SwitchableRepository { Down = true };
        await using var app = await ConsentTestHelpers.StartConsentAppAsync("OptOut", o =>
        {
            o.Configuration["FirstParty:Consent:Categories:0:Key"] = "necessary";
            o.Configuration["FirstParty:Consent:Categories:0:Required"] = "true";
            o.Configuration["FirstParty:Consent:Categories:1:Key"] = "analytics";
            o.Configuration["FirstParty:Consent:Categories:2:Key"] = "marketing";
            o.Configuration["FirstParty:Consent:Categories:2:SaleOrSharing"] = "true";
            o.ConfigureDataProtection = dp => dp.Services.Configure<KeyManagementOptions>(k => k.XmlRepository = repository);
        });

        var (page, consent) = await app.ProbeAsync(new CookieJar(), r => r.Headers.Add("Sec-GPC", "1"));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Null(page.Written(ConsentTestHelpers.ConsentCookie));
        Assert.False(consent.GetProperty("categories").GetProperty("marketing").GetBoolean());
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Id.Id == 47 && l.Message.Contains("_fp_consent", StringComparison.Ordinal));

        // The key store answers again: the next page records the signal.
        repository.Down = false;
        var (later, _) = await app.ProbeAsync(new CookieJar(), r => r.Headers.Add("Sec-GPC", "1"));
        Assert.NotNull(later.Written(ConsentTestHelpers.ConsentCookie));
    }

    private sealed class SwitchableRepository : IXmlRepository
    {
        private readonly List<XElement> _elements = [];

        public volatile bool Down;

        public IReadOnlyCollection<XElement> GetAllElements()
        {
            ThrowIfDown();
            lock (_elements)
            {
                return [.. _elements];
            }
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            ThrowIfDown();
            lock (_elements)
            {
                _elements.Add(element);
            }
        }

        private void ThrowIfDown()
        {
            if (Down)
            {
                throw new IOException("The key store does not answer.");
            }
        }
    }
}
