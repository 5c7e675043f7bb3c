using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansRegistry.Hosting.Drain;

namespace OrleansRegistry.Hosting.Tests.Drain;

public sealed class DrainMiddlewareTests
{
    private static readonly Func<PathString, bool> IsProbe = path => path == "/readyz";

    [Fact]
    public async Task A_drain_waits_for_the_request_in_flight_then_refuses_new_ones_but_answers_probes()
    {
        var drain = new DrainCoordinator(TimeSpan.Zero, TimeSpan.FromSeconds(30), NullLogger<DrainCoordinator>.Instance);
        var release = new TaskCompletionSource();
        var slow = new DrainMiddleware(_ => release.Task, drain, IsProbe);
        var inFlight = slow.InvokeAsync(Context("/v2/team/app/blobs/uploads/1"));
        Assert.Equal(1, drain.InFlight);

        var draining = Task.Run(drain.Drain);
        await WaitUntilAsync(() => drain.IsRefusing);
        Assert.True(drain.IsDraining);
        Assert.False(draining.IsCompleted);

        var next = new DrainMiddleware(_ => Task.CompletedTask, drain, IsProbe);
        var refused = Context("/v2/");
        await next.InvokeAsync(refused);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, refused.Response.StatusCode);
        Assert.Equal("close", refused.Response.Headers.Connection.ToString());
        Assert.Equal("1", refused.Response.Headers.RetryAfter.ToString());

        var probe = Context("/readyz");
        await next.InvokeAsync(probe);
        Assert.Equal(StatusCodes.Status200OK, probe.Response.StatusCode);

        release.SetResult();
        await inFlight;
        await draining.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, drain.InFlight);
    }

    [Fact]
    public async Task A_drain_gives_up_after_its_timeout()
    {
        var drain = new DrainCoordinator(TimeSpan.Zero, TimeSpan.FromMilliseconds(200), NullLogger<DrainCoordinator>.Instance);
        var never = new TaskCompletionSource();
        _ = new DrainMiddleware(_ => never.Task, drain, IsProbe).InvokeAsync(Context("/v2/"));

        await Task.Run(drain.Drain).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, drain.InFlight);
    }

    [Fact]
    public async Task Probes_are_not_counted_as_requests_in_flight()
    {
        var drain = new DrainCoordinator(TimeSpan.Zero, TimeSpan.FromSeconds(1), NullLogger<DrainCoordinator>.Instance);
        var hold = new TaskCompletionSource();
        var probe = new DrainMiddleware(_ => hold.Task, drain, IsProbe).InvokeAsync(Context("/readyz"));
        Assert.Equal(0, drain.InFlight);
        hold.SetResult();
        await probe;
    }

    private static DefaultHttpContext Context(string path) => new() { Request = { Path = path } };

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
