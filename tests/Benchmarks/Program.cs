using BenchmarkDotNet.Running;
using Benchmarks;

// dotnet run -c Release --project tests/Benchmarks -- --filter '*'
// dotnet run -c Release --project tests/Benchmarks -- collector-load [clients] [eventsPerUpload] [seconds]
// dotnet run -c Release --project tests/Benchmarks -- kestrel <variant> <port>  (driven by scripts/bench-kestrel.sh)
if (args is ["collector-load", .. var rest])
{
    return await CollectorLoad.RunAsync(rest);
}

// dotnet run -c Release --project tests/Benchmarks -- profile <bare|bare-cookies|returning|profiles|new|profiles-new> [seconds]
if (args is ["profile", .. var scenario])
{
    return await Benchmarks.PipelineProfile.RunAsync(scenario);
}

if (args is ["kestrel", .. var kestrelArgs])
{
    return await KestrelApps.RunAsync(kestrelArgs);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
