using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>
/// The Razor Pages sample as a real process on Kestrel (the build's own DLL), so a test can kill it
/// the way an orchestrator does: SIGKILL (nothing runs) or SIGTERM (the host shuts down gracefully).
/// </summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringWriter _log = new();

    private SampleProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>What the process wrote, for a failure message.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<SampleProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var project = Path.Combine(RepositoryRoot(), "samples", "RazorPagesSample");
        var dll = Path.Combine(project, "bin", "Release", "net10.0", "RazorPagesSample.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is missing: build the solution in Release first (scripts/test.sh does).");
        }

        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", address.ToString().TrimEnd('/')])
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start)!;
        var sample = new SampleProcess(process, address);
        process.OutputDataReceived += (_, e) => sample.Append(e.Data);
        process.ErrorDataReceived += (_, e) => sample.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The sample exited with {process.ExitCode} before it answered:\n{sample.Log}");
            }

            try
            {
                using var response = await client.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return sample;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                process.Kill();
                throw new TimeoutException($"The sample did not answer within 60 s:\n{sample.Log}");
            }

            await Task.Delay(100);
        }
    }

    public HttpClient CreateClient() => new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false })
    {
        BaseAddress = Address,
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>SIGKILL: the process ends at once; nothing of it runs any more.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as an orchestrator stops a container: the host shuts down gracefully.</summary>
    public async Task TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.WriteLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Middleware.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("Middleware.sln was not found above the test output directory.");
    }
}
