using System.Net;
using System.Text.Json;

namespace OrleansRegistry.Server.Tests.Infrastructure;

public static class AdminApiPolling
{
    /// <summary>
    /// GETs <paramref name="path"/> until the array <paramref name="property"/> of its body is <paramref name="done"/>
    /// or 15 s have passed (events and audit entries arrive asynchronously); returns the last array read.
    /// </summary>
    public static async Task<List<JsonElement>> PollListAsync(this HttpClient client, string path, string property, Func<List<JsonElement>, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = await response.ReadJsonAsync();
            var items = json.RootElement.GetProperty(property).EnumerateArray().Select(e => e.Clone()).ToList();
            if (done(items) || DateTime.UtcNow > deadline)
            {
                return items;
            }

            await Task.Delay(100);
        }
    }
}
