using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using OrleansRegistry.Server.Cluster;
using OrleansRegistry.Server.Hosting;

namespace OrleansRegistry.Server.Tests.Cluster;

public sealed class TransientRetryMiddlewareTests
{
    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")] // the final PUT of an upload, without a body
    public async Task A_request_without_a_body_that_met_a_dead_silo_runs_again_until_the_grain_answers(string method)
    {
        var runs = 0;
        var context = Request(method, body: false);
        context.Response.Headers["X-Request-Id"] = "r1";

        await Middleware(TimeSpan.FromSeconds(10), async http =>
        {
            runs++;
            http.Response.Headers["Docker-Content-Digest"] = $"run {runs}";
            if (runs < 3)
            {
                http.Response.StatusCode = 404;
                throw new SiloUnavailableException("silo S127.0.0.1:11112:1 is dead");
            }

            await http.Response.WriteAsync("manifest");
        }).InvokeAsync(context);

        Assert.Equal(3, runs);
        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("r1", context.Response.Headers["X-Request-Id"]);
        Assert.Equal("run 3", context.Response.Headers["Docker-Content-Digest"]);
    }

    [Fact]
    public async Task Past_the_window_the_failure_is_left_to_the_error_middleware()
    {
        // Pauses of 250 and 500 ms: the second would end past 600 ms.
        Assert.Equal(2, await RunsBeforeItThrowsAsync("HEAD", TimeSpan.FromMilliseconds(600), new SiloUnavailableException("gone")));
    }

    [Theory]
    [InlineData("PUT", true, "00:00:10")] // its body was read: it cannot be read again
    [InlineData("PATCH", true, "00:00:10")]
    [InlineData("DELETE", false, "00:00:10")] // a second run could answer 404 for what the first did
    [InlineData("GET", false, "00:00:00")] // turned off
    public async Task Requests_with_a_body_deletes_and_a_zero_window_are_run_once(string method, bool body, string window)
    {
        var runs = await RunsBeforeItThrowsAsync(method, TimeSpan.Parse(window, System.Globalization.CultureInfo.InvariantCulture), new SiloUnavailableException("gone"), body);
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task Other_failures_are_not_run_again()
    {
        Assert.Equal(1, await RunsBeforeItThrowsAsync("GET", TimeSpan.FromSeconds(10), new InvalidOperationException("a bug, not a dead silo")));
    }

    /// <summary>How often the endpoint ran before the middleware let its exception through.</summary>
    private static async Task<int> RunsBeforeItThrowsAsync(string method, TimeSpan window, Exception failure, bool body = false)
    {
        var runs = 0;
        var middleware = Middleware(window, _ =>
        {
            runs++;
            throw failure;
        });

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => middleware.InvokeAsync(Request(method, body)));
        Assert.Same(failure, thrown);
        return runs;
    }

    private static TransientRetryMiddleware Middleware(TimeSpan window, RequestDelegate next) =>
        new(next, Options.Create(new RegistryOptions { Cluster = new ClusterOptions { TransientRetryWindow = window } }), TimeProvider.System, NullLogger<TransientRetryMiddleware>.Instance);

    private static DefaultHttpContext Request(string method, bool body)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = "/v2/team/app/manifests/v1";
        context.Features.Set<IHttpRequestBodyDetectionFeature>(new BodyDetection(body));
        context.Response.Body = new MemoryStream();
        return context;
    }

    /// <summary>What Kestrel tells from Content-Length and Transfer-Encoding.</summary>
    private sealed record BodyDetection(bool CanHaveBody) : IHttpRequestBodyDetectionFeature;
}
