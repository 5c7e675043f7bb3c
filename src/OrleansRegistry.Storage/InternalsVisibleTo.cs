using System.Runtime.CompilerServices;

// The tests check internals that no public member exposes, such as how I/O errors are classified.
[assembly: InternalsVisibleTo("OrleansRegistry.Storage.Tests")]
