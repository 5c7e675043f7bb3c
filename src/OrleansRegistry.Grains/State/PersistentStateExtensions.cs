namespace OrleansRegistry.Grains.State;

public static class PersistentStateExtensions
{
    /// <summary>
    /// Writes <paramref name="next"/> as the grain's state; the in-memory state changes only once
    /// storage has it (a failed write puts the previous state back and rethrows).
    /// </summary>
    public static async Task ReplaceAsync<T>(this IPersistentState<T> state, T next)
    {
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            throw;
        }
    }
}
