# One image for the API, the workers, beat and the migration job (docker-compose.yml).
#
# Stage 1 builds wheels of the project and of every dependency (compilers stay here);
# stage 2 installs those wheels alone (--no-index: nothing fetched at this point) on a
# slim base and runs as an unprivileged user.

FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY logistics logistics
COPY api_core api_core
COPY mobile_api mobile_api
COPY web web
RUN pip wheel --wheel-dir /wheels .

FROM python:3.11-slim AS runtime
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=builder /wheels /wheels
RUN pip install --no-index --find-links /wheels bcci-logistics && rm -rf /wheels
# Migrations are read from the working directory (logistics.migrate).
COPY alembic.ini ./
COPY migrations migrations
# var/ holds proof files and beat's schedule; a named volume mounted here keeps them.
RUN mkdir -p /app/var && chown app:app /app/var
USER app
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=3)"
# --no-access-log: the app writes its own access line (api_core.observability), with the request id.
CMD ["uvicorn", "web.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers", "--workers", "2", "--no-access-log"]
