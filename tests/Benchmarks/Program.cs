using BenchmarkDotNet.Running;
using Benchmarks;

// dotnet run -c Release --project tests/Benchmarks -- --filter '*'
// dotnet run -c Release --project tests/Benchmarks -- collector-load [clients] [eventsPerUpload] [seconds]
if (args is ["collector-load", .. var rest])
{
    return await CollectorLoad.RunAsync(rest);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
