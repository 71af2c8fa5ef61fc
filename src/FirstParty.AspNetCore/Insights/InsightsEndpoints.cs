using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Ledger;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FirstParty.AspNetCore.Insights;

/// <summary>
/// The handlers of the staff insights page. The route group requires the site's authorization
/// policy; every handler also refuses an unauthenticated user, so an <c>AllowAnonymous</c> added
/// by mistake cannot open it. Searches, exports and erasures are POSTs with an antiforgery token
/// (ids stay out of URLs and access logs), and each is written to the staff action log before it
/// is carried out: when the log cannot keep it, nothing happens.
/// </summary>
internal sealed class InsightsEndpoints(
    string basePath,
    IConsentLedgerInsights store,
    ConsentLedgerWriter ledger,
    InsightsMeterAggregate live,
    SubjectHasher hasher,
    IAntiforgery antiforgery,
    TimeProvider time,
    ILogger logger)
{
    private const int StaffActionsShown = 50;
    private const int MaxIdLength = 256;

    /// <summary>The page's own Content-Security-Policy, used when the app sets none.</summary>
    private const string ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static InsightsEndpoints Create(IServiceProvider services, string basePath)
        => new(
            basePath,
            services.GetRequiredService<IConsentLedger>() as IConsentLedgerInsights
                ?? throw new InvalidOperationException($"MapFirstPartyInsights needs a consent ledger store that implements {nameof(IConsentLedgerInsights)} (the in-memory store and AddEntityFrameworkCoreLedger do); the registered {services.GetRequiredService<IConsentLedger>().GetType().Name} does not."),
            services.GetRequiredService<ConsentLedgerWriter>(),
            services.GetRequiredService<InsightsMeterAggregate>(),
            services.GetRequiredService<SubjectHasher>(),
            services.GetRequiredService<IAntiforgery>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("FirstParty.AspNetCore.Insights"));

    public async Task<IResult> PageAsync(HttpContext context)
    {
        if (!IsStaff(context))
        {
            return Results.Unauthorized();
        }

        var query = context.Request.Query;
        var message = query["erased"].ToString() is { Length: > 0 } erased && int.TryParse(erased, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? string.Create(CultureInfo.InvariantCulture, $"{(query["erasure"] == "pseudonymise" ? "Pseudonymised" : "Erased")} {InsightsPage.Receipts(count)}.")
            : null;
        return await RenderAsync(context, message: message).ConfigureAwait(false);
    }

    public async Task<IResult> SearchAsync(HttpContext context)
    {
        if (await ReadSubjectAsync(context).ConfigureAwait(false) is not { } read)
        {
            return Results.Unauthorized();
        }

        if (read.Problem is { } problem)
        {
            return await RenderAsync(context, error: problem, status: StatusCodes.Status400BadRequest).ConfigureAwait(false);
        }

        var subject = read.Subject;
        var receipts = await ledger.FindAsync(subject, context.RequestAborted).ConfigureAwait(false);
        if (!await RecordAsync(context, "search", subject, receipts.Count).ConfigureAwait(false))
        {
            return await RenderAsync(context, error: "The staff action log is unavailable: try again later.", status: StatusCodes.Status503ServiceUnavailable).ConfigureAwait(false);
        }

        return await RenderAsync(context, subject: subject, receipts: receipts).ConfigureAwait(false);
    }

    public async Task<IResult> ExportAsync(HttpContext context)
    {
        if (await ReadSubjectAsync(context).ConfigureAwait(false) is not { } read)
        {
            return Results.Unauthorized();
        }

        if (read.Problem is { } problem)
        {
            return await RenderAsync(context, error: problem, status: StatusCodes.Status400BadRequest).ConfigureAwait(false);
        }

        var receipts = await ledger.FindAsync(read.Subject, context.RequestAborted).ConfigureAwait(false);
        if (!await RecordAsync(context, "export", read.Subject, receipts.Count).ConfigureAwait(false))
        {
            return await RenderAsync(context, error: "The staff action log is unavailable: try again later.", status: StatusCodes.Status503ServiceUnavailable).ConfigureAwait(false);
        }

        NoStore(context);
        var file = string.Create(CultureInfo.InvariantCulture, $"consent-receipts-{InsightsPage.Kind(read.Subject.Kind)}-{time.GetUtcNow():yyyyMMdd}.json");
        return Results.File(ConsentReceiptExport.ToUtf8Bytes(read.Subject, receipts), ConsentReceiptExport.ContentType, file);
    }

    public async Task<IResult> EraseAsync(HttpContext context)
    {
        if (await ReadSubjectAsync(context).ConfigureAwait(false) is not { } read)
        {
            return Results.Unauthorized();
        }

        ReceiptErasure? erasure = context.Request.Form["erasure"].ToString() switch
        {
            "delete" => ReceiptErasure.Delete,
            "pseudonymise" => ReceiptErasure.Pseudonymise,
            _ => null,
        };
        if (read.Problem is not null || erasure is not { } how)
        {
            return await RenderAsync(context, error: read.Problem ?? "Choose delete or pseudonymise.", status: StatusCodes.Status400BadRequest).ConfigureAwait(false);
        }

        var receipts = await ledger.FindAsync(read.Subject, context.RequestAborted).ConfigureAwait(false);
        var action = how == ReceiptErasure.Delete ? "erase" : "pseudonymise";
        if (!await RecordAsync(context, action, read.Subject, receipts.Count).ConfigureAwait(false))
        {
            return await RenderAsync(context, error: "The staff action log is unavailable: nothing was erased. Try again later.", status: StatusCodes.Status503ServiceUnavailable).ConfigureAwait(false);
        }

        // The same path as a visitor's own forget: after everything queued before it, pending
        // receipts hidden at once, and a tombstone that erases late arrivals too.
        await ledger.EraseAsync(read.Subject, how).ConfigureAwait(false);
        context.Response.Headers.Location = string.Create(CultureInfo.InvariantCulture, $"{basePath}?erased={receipts.Count}&erasure={(how == ReceiptErasure.Delete ? "delete" : "pseudonymise")}");
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    public static IResult Stylesheet(HttpContext context)
    {
        if (!IsStaff(context))
        {
            return Results.Unauthorized();
        }

        context.Response.Headers.CacheControl = "private, max-age=3600";
        return Results.Text(InsightsStylesheet.Css, "text/css; charset=utf-8");
    }

    private static bool IsStaff(HttpContext context) => context.User.Identity?.IsAuthenticated == true;

    private static string StaffName(HttpContext context)
        => context.User.Identity?.Name
            ?? context.User.FindFirst(ClaimTypes.Name)?.Value
            ?? context.User.FindFirst(ClaimTypes.NameIdentifier)?.Value
            ?? "unknown";

    private static void NoStore(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers[HeaderNames.Pragma] = "no-cache";
    }

    /// <summary>The posted subject; null when the caller is not staff, a problem when the form is not valid.</summary>
    private async Task<(ReceiptSubject Subject, string? Problem)?> ReadSubjectAsync(HttpContext context)
    {
        if (!IsStaff(context))
        {
            return null;
        }

        if (!context.Request.HasFormContentType)
        {
            return (default, "Post the form.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return (default, "The form has expired: reload the page and try again.");
        }

        ReceiptSubjectKind? kind = form["kind"].ToString() switch
        {
            "visitor" => ReceiptSubjectKind.Visitor,
            "user" => ReceiptSubjectKind.User,
            "consent" => ReceiptSubjectKind.Consent,
            _ => null,
        };
        var id = form["id"].ToString().Trim();
        if (kind is not { } k || id.Length is 0 or > MaxIdLength)
        {
            return (default, "Choose an id kind and enter an id (at most 256 characters).");
        }

        return (new ReceiptSubject(k, id), null);
    }

    private async Task<bool> RecordAsync(HttpContext context, string action, ReceiptSubject subject, int count)
    {
        var entry = new StaffAction
        {
            Timestamp = time.GetUtcNow(),
            Staff = StaffName(context),
            Action = action,
            SubjectKind = subject.Kind,
            SubjectHash = hasher.Hash(subject),
            Count = count,
        };
        try
        {
            await store.AppendStaffActionAsync(entry, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            logger.StaffActionNotRecorded(action, ex);
            return false;
        }

        logger.StaffActionRecorded(entry.Staff, action, count, InsightsPage.Kind(subject.Kind), entry.SubjectHash);
        return true;
    }

    private async Task<IResult> RenderAsync(HttpContext context, string? message = null, string? error = null, int status = StatusCodes.Status200OK, ReceiptSubject? subject = null, IReadOnlyList<ConsentReceipt>? receipts = null)
    {
        var query = context.Request.Query;
        var days = int.TryParse(query["days"], NumberStyles.None, CultureInfo.InvariantCulture, out var d) && InsightsPage.DayChoices.Contains(d) ? d : 30;
        var region = query["region"].ToString() is { Length: > 0 and <= 16 } r ? r : null;
        int? revision = int.TryParse(query["revision"], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
        var now = time.GetUtcNow();
        var since = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(1 - days);
        var model = new InsightsPageModel
        {
            BasePath = basePath,
            Tokens = antiforgery.GetAndStoreTokens(context),
            Now = now,
            Days = days,
            Region = region,
            Revision = revision,
            Aggregates = await store.AggregateAsync(since, now.AddSeconds(1), context.RequestAborted).ConfigureAwait(false),
            Live = live,
            StaffActions = await store.StaffActionsAsync(StaffActionsShown, context.RequestAborted).ConfigureAwait(false),
            Message = message,
            Error = error,
            Subject = subject,
            Receipts = receipts,
        };

        NoStore(context);
        if (!context.Response.Headers.ContainsKey(HeaderNames.ContentSecurityPolicy))
        {
            context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        }

        var encoder = context.RequestServices.GetService<HtmlEncoder>() ?? HtmlEncoder.Default;
        return Results.Content(InsightsPage.Render(model, encoder), "text/html; charset=utf-8", statusCode: status);
    }
}
