using BenchmarkDotNet.Running;
using Benchmarks;

// dotnet run -c Release --project tests/Benchmarks -- --filter '*'
// dotnet run -c Release --project tests/Benchmarks -- collector-load [clients] [eventsPerUpload] [seconds]
if (args is ["collector-load", .. var rest])
{
    return await CollectorLoad.RunAsync(rest);
}

// dotnet run -c Release --project tests/Benchmarks -- profile <bare|returning|profiles|new> [seconds]
if (args is ["profile", .. var scenario])
{
    return await Benchmarks.PipelineProfile.RunAsync(scenario);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
