using OrleansRegistry.Contracts.Events;

namespace OrleansRegistry.Extensions.Notifications.Webhooks;

/// <summary>The kinds of events a webhook subscribes to, and which event actions each covers.</summary>
public static class WebhookEvents
{
    public const string ConsumerPrefix = "webhook:";

    /// <summary>The five, and <c>repository</c> (a repository created or emptied).</summary>
    public static readonly string[] Kinds = ["push", "delete", "pull", "mount", "upload", "repository"];

    /// <summary>Without a list: everything but pulls (many, and counted rather than one per request).</summary>
    public static readonly string[] Default = ["push", "delete", "mount", "upload", "repository"];

    public static string KindOf(string action) => action switch
    {
        EventActions.Push => "push",
        EventActions.Delete or EventActions.TagDelete or EventActions.BlobDelete or EventActions.BlobCollect => "delete",
        EventActions.RepositoryCreate or EventActions.RepositoryEmpty => "repository",
        EventActions.Pull => "pull",
        EventActions.Mount => "mount",
        _ => "upload",
    };

    /// <summary>The CloudEvents type of an action: <c>io.orleansregistry.artifact.pushed</c> and so on.</summary>
    public static string CloudEventType(string action) => "io.orleansregistry." + action switch
    {
        EventActions.Push => "artifact.pushed",
        EventActions.Delete => "artifact.deleted",
        EventActions.TagDelete => "artifact.tag.deleted",
        EventActions.BlobDelete => "blob.deleted",
        EventActions.BlobCollect => "blob.collected",
        EventActions.Pull => "artifact.pulled",
        EventActions.Mount => "artifact.mounted",
        EventActions.Upload => "artifact.uploaded",
        EventActions.RepositoryCreate => "repository.created",
        EventActions.RepositoryEmpty => "repository.emptied",
        _ => action,
    };
}
