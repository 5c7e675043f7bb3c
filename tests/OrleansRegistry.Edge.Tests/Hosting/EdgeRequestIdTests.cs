using OrleansRegistry.Hosting.RequestIds;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansRegistry.Edge.Hosting;

namespace OrleansRegistry.Edge.Tests.Hosting;

public sealed class EdgeRequestIdTests
{
    [Fact]
    public async Task A_valid_client_id_is_kept_on_the_proxied_request_and_the_response()
    {
        var (context, response) = Context("build-42");
        string? forwarded = null;
        var middleware = new EdgeRequestId(c =>
        {
            forwarded = c.Request.Headers[RequestId.Header];
            // The silo's answer carries the id too; YARP copies it over before the response starts.
            c.Response.Headers[RequestId.Header] = "build-42";
            return Task.CompletedTask;
        }, NullLogger<EdgeRequestId>.Instance);

        await middleware.InvokeAsync(context);
        await response.StartAsync();

        Assert.Equal("build-42", forwarded);
        Assert.Equal("build-42", context.TraceIdentifier);
        Assert.Equal("build-42", Assert.Single(context.Response.Headers[RequestId.Header]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("ünïcode")]
    public async Task An_unusable_client_id_is_replaced_by_a_new_one(string sent)
    {
        var (context, response) = Context(sent);
        string? forwarded = null;
        var middleware = new EdgeRequestId(c =>
        {
            forwarded = c.Request.Headers[RequestId.Header];
            return Task.CompletedTask;
        }, NullLogger<EdgeRequestId>.Instance);

        await middleware.InvokeAsync(context);
        await response.StartAsync();

        Assert.NotNull(forwarded);
        Assert.NotEqual(sent, forwarded);
        Assert.NotNull(RequestId.Accept(forwarded!));
        Assert.Equal(forwarded, context.Response.Headers[RequestId.Header].ToString());
    }

    [Fact]
    public async Task An_id_too_long_is_replaced()
    {
        var (context, response) = Context(new string('a', 129));
        var middleware = new EdgeRequestId(_ => Task.CompletedTask, NullLogger<EdgeRequestId>.Instance);

        await middleware.InvokeAsync(context);
        await response.StartAsync();

        Assert.Equal(32, context.Response.Headers[RequestId.Header].ToString().Length);
    }

    private static (HttpContext Context, StartableResponse Response) Context(string requestId)
    {
        var context = new DefaultHttpContext();
        if (requestId.Length > 0)
        {
            context.Request.Headers[RequestId.Header] = requestId;
        }

        var response = new StartableResponse();
        context.Features.Set<IHttpResponseFeature>(response);
        return (context, response);
    }

    /// <summary>A response feature whose OnStarting callbacks run when the test starts the response.</summary>
    private sealed class StartableResponse : HttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _starting = [];

        public override void OnStarting(Func<object, Task> callback, object state) => _starting.Add((callback, state));

        public async Task StartAsync()
        {
            // Like Kestrel: the callbacks registered last run first.
            for (var i = _starting.Count - 1; i >= 0; i--)
            {
                await _starting[i].Callback(_starting[i].State);
            }
        }
    }
}
