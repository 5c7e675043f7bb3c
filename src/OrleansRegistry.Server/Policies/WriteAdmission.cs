using OrleansRegistry.Contracts.Policies;

namespace OrleansRegistry.Server.Policies;

/// <summary>
/// A write the policies allowed, holding their reservations until it ends: the caller marks it
/// <see cref="Done"/> once the write happened, and disposing it tells every reservation how it ended
/// (also when the write failed or the request was cancelled).
/// </summary>
public sealed class WriteAdmission : IAsyncDisposable
{
    /// <summary>No policy holds anything for the write: nothing to tell.</summary>
    public static readonly WriteAdmission Unreserved = new(null);

    private readonly Action<Exception>? _unended;
    private readonly List<IWriteReservation> _reservations = [];
    private bool _done;

    /// <param name="unended">Told of a reservation that failed to end (the write stands; the policy repairs it).</param>
    public WriteAdmission(Action<Exception>? unended) => _unended = unended;

    internal void Hold(IWriteReservation reservation) => _reservations.Add(reservation);

    /// <summary>The write happened (stored, or deleted).</summary>
    public void Done()
    {
        // Unreserved is shared by every write no policy holds anything for: it keeps no state.
        if (_reservations.Count > 0)
        {
            _done = true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var reservation in _reservations)
        {
            try
            {
                await reservation.EndAsync(_done);
            }
            catch (Exception error)
            {
                // The write's own outcome stands: the client is told what happened to it, not to the reservation.
                _unended?.Invoke(error);
            }
        }

        _reservations.Clear();
    }
}
