namespace OrleansRegistry.Server.Cluster;

/// <summary>Failures of a grain call caused by a silo that just died, not by the request.</summary>
public static class ClusterTransient
{
    public static bool Is(Exception error) => error is
        Orleans.Runtime.OrleansMessageRejectionException or
        Orleans.Runtime.SiloUnavailableException or
        Orleans.Runtime.Messaging.ConnectionFailedException or
        TimeoutException;
}
