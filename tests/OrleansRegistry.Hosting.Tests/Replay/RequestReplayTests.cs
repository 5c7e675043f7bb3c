using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using OrleansRegistry.Hosting.Replay;

namespace OrleansRegistry.Hosting.Tests.Replay;

public sealed class RequestReplayTests
{
    [Theory]
    [InlineData("GET", false, true)]
    [InlineData("HEAD", false, true)]
    [InlineData("PUT", false, true)] // an upload's final PUT
    [InlineData("POST", false, true)] // starting an upload, a mount
    [InlineData("PUT", true, false)] // a manifest, or a last chunk: read once and gone
    [InlineData("PATCH", true, false)]
    [InlineData("POST", true, false)]
    [InlineData("DELETE", false, false)] // a second run could answer 404 for what the first did
    public void Only_requests_without_a_body_and_not_deletes_can_run_again(string method, bool body, bool again)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Features.Set<IHttpRequestBodyDetectionFeature>(new BodyDetection(body));

        Assert.Equal(again, RequestReplay.CanRunAgain(context));
    }

    [Fact]
    public void A_request_whose_server_does_not_say_whether_it_has_a_body_is_taken_to_have_one()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "PUT";

        Assert.False(RequestReplay.CanRunAgain(context));
    }

    private sealed record BodyDetection(bool CanHaveBody) : IHttpRequestBodyDetectionFeature;
}
