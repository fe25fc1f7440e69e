# The sandbox as one image: all four APIs on port 8080, configured by MOCK_SERVER_* variables.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MOCK_SERVER_HOST=0.0.0.0 \
    MOCK_SERVER_PORT=8080 \
    MOCK_SERVER_CONTRACTS_DIR=/app/contracts \
    XDG_CACHE_HOME=/app/.cache

WORKDIR /app
COPY pyproject.toml README.md ./
COPY mock_server ./mock_server
COPY contracts ./contracts
COPY fixtures ./fixtures
# The first start parses the contracts and caches them as JSON; do it at build time.
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --no-create-home sandbox \
    && python -c "from mock_server.app import create_app; create_app()" \
    && chown -R sandbox /app/.cache

USER sandbox
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/__admin/health' % os.environ.get('MOCK_SERVER_PORT', '8080'), timeout=2)"

ENTRYPOINT ["mock-server"]
CMD ["serve"]
