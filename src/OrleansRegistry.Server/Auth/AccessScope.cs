using System.Text.Json;

namespace OrleansRegistry.Server.Auth;

/// <summary>
/// One resource scope of the Docker token spec, <c>type:name:action,action</c>
/// (<c>repository:team/app:pull,push</c>, <c>registry:catalog:*</c>). It is also the shape of an
/// entry of a token's <c>access</c> claim.
/// </summary>
public sealed record AccessScope(string Type, string Name, IReadOnlyList<string> Actions)
{
    public const string Repository = "repository";
    public const string Registry = "registry";
    public const string Catalog = "catalog";
    public const string Pull = "pull";
    public const string Push = "push";
    public const string Delete = "delete";
    public const string All = "*";

    /// <summary>
    /// Parses one or more scopes separated by spaces (the OAuth2 form puts several in one
    /// parameter). Malformed entries are skipped: a token request asking for nonsense gets no access for it.
    /// </summary>
    public static List<AccessScope> ParseMany(string? value)
    {
        var scopes = new List<AccessScope>();
        if (string.IsNullOrWhiteSpace(value))
        {
            return scopes;
        }

        foreach (var part in value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (TryParse(part, out var scope))
            {
                scopes.Add(scope);
            }
        }

        return scopes;
    }

    public static bool TryParse(string value, out AccessScope scope)
    {
        scope = null!;
        var first = value.IndexOf(':');
        var last = value.LastIndexOf(':');
        if (first <= 0 || last == first || last == value.Length - 1)
        {
            return false;
        }

        var type = value[..first];
        var paren = type.IndexOf('(');
        if (paren >= 0)
        {
            // "repository(plugin)": the resource class does not change what is granted.
            if (!type.EndsWith(')'))
            {
                return false;
            }

            type = type[..paren];
        }

        var name = value[(first + 1)..last];
        var actions = value[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (type.Length == 0 || name.Length == 0 || actions.Length == 0)
        {
            return false;
        }

        scope = new AccessScope(type, name, actions.Distinct(StringComparer.Ordinal).ToArray());
        return true;
    }

    public bool Allows(string action) => Actions.Contains(action, StringComparer.Ordinal) || Actions.Contains(All, StringComparer.Ordinal);

    public override string ToString() => $"{Type}:{Name}:{string.Join(',', Actions)}";

    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("type", Type);
        json.WriteString("name", Name);
        json.WriteStartArray("actions");
        foreach (var action in Actions)
        {
            json.WriteStringValue(action);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static AccessScope? ReadFrom(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
            || !element.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
            || !element.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var list = actions.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToArray();
        return new AccessScope(type.GetString()!, name.GetString()!, list);
    }
}
