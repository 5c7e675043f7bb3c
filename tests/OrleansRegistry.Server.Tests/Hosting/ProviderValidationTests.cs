using Microsoft.Extensions.Configuration;
using OrleansRegistry.Server.Hosting;

namespace OrleansRegistry.Server.Tests.Hosting;

/// <summary>Settings that cannot work are refused before anything starts (<see cref="ProviderRegistration.Validate"/>).</summary>
public sealed class ProviderValidationTests
{
    [Theory]
    [InlineData("Registry:UploadIdleTimeout", "00:00:00")]
    [InlineData("Registry:UploadIdleTimeout", "00:00:00.500")]
    [InlineData("Registry:UploadIdleTimeout", "-00:01:00")]
    [InlineData("Registry:UploadSweepInterval", "00:00:00")]
    public void Upload_timings_too_short_to_work_are_refused_at_start(string key, string value)
    {
        var error = Assert.Throws<RegistryConfigurationException>(() => Validate(new() { [key] = value }));
        Assert.Contains("at least 1 second", error.Message);
    }

    [Theory]
    [InlineData("6.00:00:00", "1.00:00:00")]
    [InlineData("7.00:00:00", "00:10:00")]
    public void With_azure_blobs_an_idle_upload_must_expire_before_its_blocks_do(string idle, string sweep)
    {
        var error = Assert.Throws<RegistryConfigurationException>(() => Validate(new()
        {
            ["Registry:Cluster:BlobStorage"] = "AzureBlob",
            ["Registry:UploadIdleTimeout"] = idle,
            ["Registry:UploadSweepInterval"] = sweep,
        }));
        Assert.Contains("7 days", error.Message);
    }

    [Theory]
    [InlineData("MaxRetries", "-1", "MaxRetries")]
    [InlineData("MaxRetries", "21", "MaxRetries")]
    [InlineData("Delay", "00:00:00", "Delay")]
    [InlineData("MaxDelay", "00:00:00.100", "MaxDelay")]
    [InlineData("NetworkTimeout", "00:00:00", "NetworkTimeout")]
    public void Azure_retries_that_cannot_work_are_refused_at_start(string key, string value, string named)
    {
        var error = Assert.Throws<RegistryConfigurationException>(() => Validate(new()
        {
            ["Registry:Cluster:BlobStorage"] = "AzureBlob",
            [$"Registry:Cluster:Azure:Retry:{key}"] = value,
        }));
        Assert.Contains("Registry:Cluster:Azure:Retry", error.Message);
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void The_defaults_and_a_long_timeout_on_the_filesystem_are_accepted()
    {
        Validate([]);
        Validate(new() { ["Registry:Cluster:BlobStorage"] = "AzureBlob" });
        Validate(new() { ["Registry:UploadIdleTimeout"] = "30.00:00:00" });
        Validate(new() { ["Registry:UploadIdleTimeout"] = "00:00:01", ["Registry:UploadSweepInterval"] = "00:00:01" });
        Validate(new() { ["Registry:Cluster:Azure:Retry:MaxRetries"] = "0", ["Registry:Cluster:Azure:Retry:NetworkTimeout"] = "00:00:05" });
    }

    private static void Validate(Dictionary<string, string?> settings)
    {
        // An AzureBlob provider needs its connection; the account is never contacted here.
        settings.TryAdd("ConnectionStrings:AzureBlob", "UseDevelopmentStorage=true");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var registry = configuration.GetSection(RegistryOptions.Section).Get<RegistryOptions>() ?? new RegistryOptions();
        ProviderRegistration.Validate(registry, configuration);
    }
}
