using System.Diagnostics;
using System.Diagnostics.Tracing;

namespace Benchmarks;

/// <summary>
/// Runs one pipeline scenario in a loop and prints time and bytes per request and the types the
/// runtime's allocation sampling saw most, to find where a benchmark's time and bytes go before
/// changing anything. Attach <c>dotnet-trace</c> to the process for a CPU profile of the same loop.
/// </summary>
internal static class PipelineProfile
{
    public static async Task<int> RunAsync(string[] args)
    {
        var scenario = args.Length > 0 ? args[0] : "returning";
        var seconds = args.Length > 1 && int.TryParse(args[1], out var s) ? s : 10;
        var benchmarks = new VisitorPipelineBenchmarks();
        benchmarks.Setup();
        Func<Task<Microsoft.AspNetCore.Http.HttpContext>> run = scenario switch
        {
            "bare" => benchmarks.Bare,
            "bare-cookies" => benchmarks.BareWithCookies,
            "returning" => benchmarks.ReturningVisitor,
            "profiles" => benchmarks.ReturningVisitorWithProfiles,
            "new" => benchmarks.NewVisitor,
            "profiles-new" => benchmarks.NewVisitorWithProfiles,
            "policy-new" => benchmarks.CookiePolicyNew,
            "policy-returning" => benchmarks.CookiePolicyReturning,
            _ => throw new ArgumentException($"Unknown scenario '{scenario}': bare, bare-cookies, returning, profiles, new, profiles-new, policy-new, policy-returning."),
        };

        for (var i = 0; i < 20_000; i++)
        {
            await run();
        }

        using var listener = new AllocationSampler();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        long operations = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 1000; i++)
            {
                await run();
            }

            operations += 1000;
        }

        clock.Stop();
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Console.WriteLine($"{scenario}: {clock.Elapsed.TotalNanoseconds / operations:0} ns/op, {(double)bytes / operations:0} B/op over {operations:N0} operations");
        foreach (var (type, count) in listener.Top(25))
        {
            Console.WriteLine($"  {count,8} samples  {type}");
        }

        return 0;
    }

    /// <summary>Counts the runtime's AllocationTick events (one per ~100 KB allocated) by type.</summary>
    private sealed class AllocationSampler : EventListener
    {
        private readonly Dictionary<string, int> _types = [];

        public IEnumerable<(string Type, int Count)> Top(int count)
        {
            lock (_types)
            {
                return [.. _types.OrderByDescending(static p => p.Value).Take(count).Select(static p => (p.Key, p.Value))];
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is not "GCAllocationTick_V4" and not "GCAllocationTick_V3" || eventData.Payload is null)
            {
                return;
            }

            var index = eventData.PayloadNames!.IndexOf("TypeName");
            var type = index >= 0 ? eventData.Payload[index] as string ?? "?" : "?";
            lock (_types)
            {
                _types[type] = _types.GetValueOrDefault(type) + 1;
            }
        }
    }
}
