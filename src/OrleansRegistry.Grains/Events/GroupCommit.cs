namespace OrleansRegistry.Grains.Events;

/// <summary>
/// Batches writes of one grain: items added while a write is in flight go together in the next one,
/// in the order they were added, and one write runs at a time. Each caller's task completes when the
/// write holding its items did (or fails with it). Used on a grain's scheduler only (not thread-safe).
/// </summary>
internal sealed class GroupCommit<T>(Func<List<T>, Task> write)
{
    private readonly List<(T[] Items, TaskCompletionSource Done)> _queued = [];
    private Task? _writing;

    public Task Add(T[] items)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queued.Add((items, done));
        if (_writing is null || _writing.IsCompleted)
        {
            _writing = WriteQueuedAsync();
        }

        return done.Task;
    }

    private async Task WriteQueuedAsync()
    {
        while (_queued.Count > 0)
        {
            var batch = _queued.ToList();
            _queued.Clear();
            try
            {
                await write(batch.SelectMany(b => b.Items).ToList());
                batch.ForEach(b => b.Done.TrySetResult());
            }
            catch (Exception error)
            {
                batch.ForEach(b => b.Done.TrySetException(error));
            }
        }
    }
}
