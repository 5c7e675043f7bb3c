using System.Text.RegularExpressions;
using OrleansRegistry.Core.References;

namespace OrleansRegistry.Core.Tests.References;

public class RepositoryNameTests
{
    private static readonly Regex SpecGrammar = new(
        @"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$",
        RegexOptions.CultureInvariant);

    [Theory]
    [InlineData("a")]
    [InlineData("library/ubuntu")]
    [InlineData("a__b")]
    [InlineData("a_b")]
    [InlineData("a.b")]
    [InlineData("a---b")]
    [InlineData("a/b/c/d")]
    [InlineData("0/1")]
    [InlineData("my-org/my.repo_name/sub--x")]
    public void AcceptsValidNames(string name) => Assert.True(RepositoryName.IsValid(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Foo")]
    [InlineData("a//b")]
    [InlineData("-a")]
    [InlineData("a-")]
    [InlineData("a___b")]
    [InlineData("a..b")]
    [InlineData("a._b")]
    [InlineData("/a")]
    [InlineData("a/")]
    [InlineData(".a")]
    [InlineData("_a")]
    [InlineData("a b")]
    [InlineData("a:b")]
    [InlineData("é")]
    public void RejectsInvalidNames(string? name) => Assert.False(RepositoryName.IsValid(name));

    [Fact]
    public void EnforcesTheLengthLimit()
    {
        Assert.True(RepositoryName.IsValid(new string('a', 255)));
        Assert.False(RepositoryName.IsValid(new string('a', 256)));
        Assert.True(RepositoryName.IsValid(string.Join('/', Enumerable.Repeat("abc", 64))[..255]));
    }

    [Fact]
    public void AgreesWithTheSpecRegexOnRandomInputs()
    {
        var random = new Random(9);
        const string alphabet = "ab0.-_/A";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(1, 12)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            var name = new string(chars);
            Assert.True(SpecGrammar.IsMatch(name) == RepositoryName.IsValid(name), name);
        }
    }

    [Fact]
    public void PathologicalInputIsFast()
    {
        var evil = string.Concat(Enumerable.Repeat("a-", 127)) + "!";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 10_000; i++)
        {
            Assert.False(RepositoryName.IsValid(evil));
        }

        Assert.True(watch.ElapsedMilliseconds < 2000);
    }
}
