# runs-gateway: a slim image that serves the API as an unprivileged user.
#   docker build -t runs-gateway .
#   docker run -p 127.0.0.1:8000:8000 -v gateway-data:/data runs-gateway
# The database (SQLite) lives in the /data volume; with GATEWAY_DATABASE=postgresql://... the
# gateway uses PostgreSQL instead (compose.yaml). Settings: GATEWAY_* variables (README).

# --- build: the wheel of the gateway and of its dependencies ----------------------------------
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gateway ./gateway
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels ".[postgres]"

# --- run: no compiler, no build tools, no root ------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GATEWAY_HOST=0.0.0.0 \
    GATEWAY_PORT=8000 \
    GATEWAY_DATABASE=/data/gateway.db
RUN groupadd --system --gid 10001 gateway \
    && useradd --system --uid 10001 --gid gateway --home-dir /data --create-home gateway
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir --no-index /wheels/*.whl \
    && rm -rf /wheels
USER gateway
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
# Healthy when the store is reachable and migrated (/readyz), on whatever port is configured.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '8000')}/readyz\", timeout=4)"]
# Listening on 0.0.0.0 turns authentication on (GATEWAY_AUTH=token): create a token with
#   docker exec -it <container> gateway token create --scope admin --workspace all --name ops
CMD ["gateway", "serve"]
