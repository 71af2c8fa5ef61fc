using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>Keeps every log event's id, level and message, for tests that check what was logged.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(EventId Id, LogLevel Level, string Message)> _events = new();

    public IReadOnlyList<(EventId Id, LogLevel Level, string Message)> Events => [.. _events];

    public ILogger CreateLogger(string categoryName) => new Logger(_events);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<(EventId, LogLevel, string)> events) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => events.Enqueue((eventId, logLevel, formatter(state, exception)));
    }
}
