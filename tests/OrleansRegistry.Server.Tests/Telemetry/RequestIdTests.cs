using OrleansRegistry.Hosting.RequestIds;
using OrleansRegistry.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OrleansRegistry.Server.Telemetry;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Telemetry;

public sealed class RequestIdTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private readonly HttpClient _client = server.CreateClient();

    [Fact]
    public async Task A_sane_client_request_id_is_echoed()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Add("X-Request-Id", "edge-4f2a.17");
        using var response = await _client.SendAsync(request);
        Assert.Equal("edge-4f2a.17", response.Header("X-Request-Id"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("has space")]
    public async Task A_missing_or_unsafe_request_id_is_replaced_by_a_new_one(string? sent)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        if (sent is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Request-Id", sent);
        }

        using var response = await _client.SendAsync(request);
        var id = response.Header("X-Request-Id");
        Assert.NotNull(id);
        Assert.Matches("^[0-9a-f]{32}$", id);
    }

    [Fact]
    public void Ids_longer_than_the_limit_are_refused()
    {
        Assert.Null(RequestId.Accept(new string('a', RequestId.MaxLength + 1)));
        Assert.Equal(new string('a', RequestId.MaxLength), RequestId.Accept(new string('a', RequestId.MaxLength)));
        Assert.Null(RequestId.Accept("line\nbreak"));
    }

    [Fact]
    public async Task Whatever_is_logged_during_the_request_has_the_request_id_in_its_scope()
    {
        var provider = new ScopeCapturingProvider();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(provider));
        var inner = factory.CreateLogger("handler");
        var middleware = new RequestIdMiddleware(
            _ =>
            {
                inner.LogInformation("handling");
                return Task.CompletedTask;
            },
            factory.CreateLogger<RequestIdMiddleware>());
        var context = new DefaultHttpContext();
        context.Request.Headers["X-Request-Id"] = "abc-123";

        await middleware.InvokeAsync(context);

        Assert.Equal("abc-123", context.TraceIdentifier);
        Assert.Equal("abc-123", context.Response.Headers["X-Request-Id"].ToString());
        var scope = Assert.Single(provider.Scopes);
        Assert.Contains(new KeyValuePair<string, object?>("RequestId", "abc-123"), scope);
    }

    private sealed class ScopeCapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public List<List<KeyValuePair<string, object?>>> Scopes { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(ScopeCapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var pairs = new List<KeyValuePair<string, object?>>();
                owner._scopes.ForEachScope(
                    (scope, list) =>
                    {
                        if (scope is IEnumerable<KeyValuePair<string, object?>> values)
                        {
                            list.AddRange(values);
                        }
                    },
                    pairs);
                owner.Scopes.Add(pairs);
            }
        }
    }
}
