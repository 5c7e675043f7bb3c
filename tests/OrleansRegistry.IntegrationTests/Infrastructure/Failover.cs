namespace OrleansRegistry.IntegrationTests.Infrastructure;

/// <summary>What a client does while the cluster notices a dead silo: retry until an answer comes.</summary>
public static class Failover
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<HttpResponseMessage> UntilAsync(Func<Task<HttpResponseMessage>> send, Func<HttpResponseMessage, bool> done)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            HttpResponseMessage? response = null;
            try
            {
                response = await send();
                if (done(response) || DateTime.UtcNow > deadline)
                {
                    return response;
                }
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                // connection refused / reset by a dying silo, or a grain call timing out meanwhile
            }

            response?.Dispose();
            await Task.Delay(250);
        }
    }
}
