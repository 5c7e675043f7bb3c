using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// A short job (1 launch, 3 warm-ups, 5 iterations) so that the whole suite takes a few minutes:
//   dotnet run -c Release --project benchmarks/OrleansRegistry.Benchmarks -- --filter '*'
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(5).WithId("short"))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithOptions(ConfigOptions.JoinSummary);
BenchmarkSwitcher.FromAssembly(typeof(OrleansRegistry.Benchmarks.HashBenchmarks).Assembly).Run(args, config);
