
namespace OrleansRegistry.Server.Auth;

/// <summary>The auth mode in force and its options (resolved once at start).</summary>
public sealed record AuthSettings(AuthMode Mode, AuthOptions Options);

/// <summary>Registration of authentication: services, the token endpoint, the admin API, the configuration file.</summary>
public static class AuthSetup
{
    /// <summary>
    /// Registers auth. Call after <c>UseOrleans</c> (the configuration file is applied to the
    /// directory grain by a hosted service that must start after the silo). In mode Token, loads or
    /// generates the signing key and reads the configuration file now, so a mistake stops the start
    /// with <see cref="AuthConfigurationException"/>.
    /// </summary>
    public static AuthSettings AddRegistryAuth(this WebApplicationBuilder builder, string dataPath)
    {
        var options = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var clusterMode = builder.Configuration["Registry:Cluster:Mode"];
        if (!string.IsNullOrEmpty(clusterMode) && !string.Equals(clusterMode, "Embedded", StringComparison.OrdinalIgnoreCase))
        {
            options.RequireConfiguredKey = true;
        }

        var mode = options.Mode ?? (string.IsNullOrWhiteSpace(options.ConfigPath) ? AuthMode.None : AuthMode.Token);
        var settings = new AuthSettings(mode, options);
        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(options);
        services.AddSingleton<AuthDirectory>();
        services.AddSingleton<CredentialVerifier>();
        services.AddSingleton<RegistryAccess>();
        if (mode != AuthMode.Token)
        {
            return settings;
        }

        var file = string.IsNullOrWhiteSpace(options.ConfigPath) ? null : AuthConfigurationFile.Load(options.ConfigPath);
        if (!string.IsNullOrWhiteSpace(options.HtpasswdPath))
        {
            file ??= new AuthConfigurationFile();
            var names = file.Users.Select(u => u.Name).ToHashSet(StringComparer.Ordinal);
            file.Users.AddRange(AuthConfigurationFile.ReadHtpasswd(options.HtpasswdPath).Where(u => !names.Contains(u.Name)));
        }

        var keys = SigningKeys.Load(options, dataPath);
        services.AddSingleton(keys);
        services.AddSingleton<TokenService>();
        services.AddSingleton<TokenEndpoint>();
        services.AddSingleton<AdminEndpoints>();
        services.AddHostedService(sp => new AuthConfigurationApplier(
            file, keys, sp.GetRequiredService<AuthDirectory>(), sp.GetRequiredService<CredentialVerifier>(),
            sp.GetRequiredService<ILogger<AuthConfigurationApplier>>()));
        return settings;
    }

    /// <summary>Maps the token endpoint and the admin API (mode Token), or warns that everything is open (mode None).</summary>
    public static void MapRegistryAuth(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<AuthSettings>();
        if (settings.Mode != AuthMode.Token)
        {
            app.Logger.LogWarning(
                "authentication is OFF (Registry:Auth:Mode=None): anyone who reaches this server may push, pull and delete every repository. " +
                "Set Registry:Auth:ConfigPath (or Registry:Auth:Mode=Token) to require tokens");
            return;
        }

        var token = app.Services.GetRequiredService<TokenEndpoint>();
        app.MapGet(settings.Options.TokenPath, token.GetAsync);
        app.MapPost(settings.Options.TokenPath, token.PostAsync);
        app.Services.GetRequiredService<AdminEndpoints>().Map(app);
        app.Logger.LogInformation("token authentication on: realm path {TokenPath}, service {Service}", settings.Options.TokenPath, settings.Options.Service);
    }
}

/// <summary>Applies the configuration file to the directory grain once the silo runs.</summary>
public sealed class AuthConfigurationApplier(
    AuthConfigurationFile? file, SigningKeys keys, AuthDirectory directory, CredentialVerifier credentials, ILogger<AuthConfigurationApplier> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (keys.GeneratedPath is not null)
        {
            logger.LogWarning("generated a token signing key in {Path} (kid {Kid}); keep it with the data, configure Registry:Auth:SigningKeyPath for a cluster",
                keys.GeneratedPath, keys.SigningKey.KeyId);
        }

        var policy = await directory.GetPolicyAsync();
        if (file is not null)
        {
            var (users, robots, namespaces) = file.ToRecords(policy, credentials);
            var snapshot = await directory.Grain.ApplyConfiguration(users, robots, namespaces);
            policy = directory.Compile(snapshot);
            logger.LogInformation("auth configuration applied: {Users} users, {Robots} robots, {Namespaces} namespaces",
                users.Length, robots.Length, namespaces.Length);
        }

        if (policy.Snapshot.Users.Length == 0 && policy.Snapshot.Robots.Length == 0)
        {
            logger.LogWarning("token authentication is on but there are no users: only anonymous pulls of public namespaces will work");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
