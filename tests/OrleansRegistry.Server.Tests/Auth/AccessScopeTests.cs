using OrleansRegistry.Server.Auth;

namespace OrleansRegistry.Server.Tests.Auth;

public sealed class AccessScopeTests
{
    [Fact]
    public void Parses_a_repository_scope_with_several_actions()
    {
        Assert.True(AccessScope.TryParse("repository:team/app:pull,push", out var scope));
        Assert.Equal("repository", scope.Type);
        Assert.Equal("team/app", scope.Name);
        Assert.Equal(["pull", "push"], scope.Actions);
        Assert.True(scope.Allows("push"));
        Assert.False(scope.Allows("delete"));
        Assert.Equal("repository:team/app:pull,push", scope.ToString());
    }

    [Fact]
    public void Parses_the_catalog_scope_and_a_resource_class()
    {
        Assert.True(AccessScope.TryParse("registry:catalog:*", out var catalog));
        Assert.Equal(("registry", "catalog"), (catalog.Type, catalog.Name));
        Assert.True(catalog.Allows("anything"));

        Assert.True(AccessScope.TryParse("repository(plugin):team/app:pull", out var plugin));
        Assert.Equal("repository", plugin.Type);
    }

    [Fact]
    public void A_name_with_a_port_keeps_its_colon()
    {
        Assert.True(AccessScope.TryParse("repository:host:5000/team/app:pull", out var scope));
        Assert.Equal("host:5000/team/app", scope.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("repository")]
    [InlineData("repository:team/app")]
    [InlineData("repository:team/app:")]
    [InlineData(":team/app:pull")]
    [InlineData("repository::pull")]
    [InlineData("repository(plugin:team/app:pull")]
    public void Malformed_scopes_are_rejected(string value) => Assert.False(AccessScope.TryParse(value, out _));

    [Fact]
    public void Several_scopes_separated_by_spaces_skip_the_malformed_ones()
    {
        var scopes = AccessScope.ParseMany("repository:a/b:pull  nonsense registry:catalog:* repository:c/d:push,pull,push");
        Assert.Equal(["repository:a/b:pull", "registry:catalog:*", "repository:c/d:push,pull"], scopes.Select(s => s.ToString()));
    }
}
