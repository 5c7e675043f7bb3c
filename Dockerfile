# syntax=docker/dockerfile:1.7
#
# OrleansRegistry images: the gateway silo (target "server", the default) and the YARP edge
# (target "edge", src/OrleansRegistry.Edge; built only when asked for, since BuildKit skips stages a
# target does not need).
#
#   docker build --build-arg BASE_REGISTRY=<registry host> -t orleans-registry:dev .
#   docker build --build-arg BASE_REGISTRY=<registry host> --target edge -t orleans-registry-edge:dev .
#
# BASE_REGISTRY is the host that serves Microsoft's .NET images (dotnet/sdk, dotnet/aspnet), or a
# mirror of them; no host is written here on purpose. SDK_IMAGE and ASPNET_IMAGE override the whole
# image references (pin them by digest in a release pipeline).
#
# NOT VERIFIED: there is no container engine where this was written; it has never been built.

ARG BASE_REGISTRY
ARG DOTNET_VERSION=10.0
ARG SDK_IMAGE=${BASE_REGISTRY}/dotnet/sdk:${DOTNET_VERSION}
ARG ASPNET_IMAGE=${BASE_REGISTRY}/dotnet/aspnet:${DOTNET_VERSION}

# ---------------------------------------------------------------- sources ---
FROM ${SDK_IMAGE} AS source
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
WORKDIR /src
# Build settings first, then the sources (tests, docs and scripts are not needed in an image).
COPY global.json NuGet.config Directory.Build.props Directory.Packages.props ./
COPY src/ src/

# ---------------------------------------------------------------- publish ---
FROM source AS publish-server
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish src/OrleansRegistry.Server/OrleansRegistry.Server.csproj \
      -c Release -o /app -p:UseAppHost=false

FROM source AS publish-edge
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish src/OrleansRegistry.Edge/OrleansRegistry.Edge.csproj \
      -c Release -o /app -p:UseAppHost=false

# ---------------------------------------------------------------- runtime ---
FROM ${ASPNET_IMAGE} AS runtime
# The .NET images define a non-root user "app" whose id is in APP_UID (1654).
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    Urls=http://0.0.0.0:8080 \
    Registry__Logging__Json=true
WORKDIR /app

# ------------------------------------------------------------------- edge ---
FROM runtime AS edge
COPY --from=publish-edge --chown=root:root /app /app
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/OrleansRegistry.Edge.dll"]

# ----------------------------------------------------------------- server ---
# Last stage: the default target.
FROM runtime AS server
# The embedded mode keeps everything under Registry:DataPath; in cluster mode nothing is written there
# but the lock file. Owned by the non-root user; mount a volume here to keep data across restarts.
RUN mkdir -p /data && chown "$APP_UID" /data
ENV Registry__DataPath=/data
VOLUME ["/data"]
COPY --from=publish-server --chown=root:root /app /app
USER $APP_UID
# HTTP (OCI API, /metrics, /healthz, /readyz), Orleans silo-to-silo, Orleans gateway.
EXPOSE 8080 11111 30000
ENTRYPOINT ["dotnet", "/app/OrleansRegistry.Server.dll"]
