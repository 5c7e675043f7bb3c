namespace OrleansRegistry.Server.RateLimiting;

/// <summary>Registration of the rate limits, from <see cref="RateLimitOptions.Section"/>.</summary>
public static class RateLimitSetup
{
    public static void AddRegistryRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions());
        builder.Services.AddSingleton<RegistryRateLimiter>();
    }

    /// <summary>Says at start which limits apply.</summary>
    public static void LogRateLimits(this WebApplication app)
    {
        var limits = app.Services.GetRequiredService<RateLimitOptions>();
        static string Describe(TokenBucketLimit limit) =>
            limit.IsOff ? "off" : $"{limit.Permits} per {limit.Period}, burst {Math.Max(1, limit.Burst)}";

        if (limits.Enabled)
        {
            app.Logger.LogInformation(
                "request limits per silo are on: identified {Identified}; anonymous (per address) {Anonymous}",
                Describe(limits.Identified), Describe(limits.Anonymous));
        }
        else
        {
            app.Logger.LogInformation("request limits are off (Registry:RateLimit:Enabled=false)");
        }

        app.Logger.LogInformation(
            "security limits per silo: token requests needing a bcrypt check (per address) {Token}; failed logins (per address) {FailedLogins}",
            Describe(limits.TokenRequests), Describe(limits.FailedLogins));
    }
}
