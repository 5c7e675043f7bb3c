using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansRegistry.Hosting.Transport;

public static class TransportMemoryPool
{
    /// <summary>
    /// Gives Kestrel's socket transport (which takes its pool factory from DI) blocks of
    /// <paramref name="blockSize"/> bytes; 0 leaves Kestrel's own 4 KiB pool in place.
    /// </summary>
    public static IServiceCollection AddTransportMemoryPool(this IServiceCollection services, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blockSize);
        return blockSize == 0 ? services : services.AddSingleton<IMemoryPoolFactory<byte>>(new Factory(blockSize));
    }

    private sealed class Factory(int blockSize) : IMemoryPoolFactory<byte>
    {
        public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool(blockSize);
    }
}
