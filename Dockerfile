# The sandbox as one image: all four APIs on port 8080, configured by MOCK_SERVER_* variables.
#
# Stage 1 builds the wheel (contracts and fixtures inside) and installs it with its
# dependencies into a virtual environment; stage 2 copies only that environment onto a
# slim base and runs it as a non-root user.

FROM python:3.11-slim AS build
# Names the build stage's image, which the legacy builder keeps untagged, so a test that
# removes what it built can find it.
LABEL vendor-api-sandbox.stage=build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
# Dependencies first, in their own layer: rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -m venv /opt/mock-server \
    && python -m pip install --quiet "setuptools>=68" wheel \
    && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
    && /opt/mock-server/bin/pip install --quiet -r requirements.txt
COPY setup.py MANIFEST.in README.md ./
COPY mock_server ./mock_server
COPY contracts ./contracts
COPY fixtures ./fixtures
RUN python -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir /wheels . \
    && /opt/mock-server/bin/pip install --quiet --no-deps /wheels/*.whl \
    && /opt/mock-server/bin/pip uninstall --quiet --yes pip setuptools

FROM python:3.11-slim
ENV PATH=/opt/mock-server/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    XDG_CACHE_HOME=/var/cache/mock-server \
    MOCK_SERVER_HOST=0.0.0.0 \
    MOCK_SERVER_PORT=8080
COPY --from=build /opt/mock-server /opt/mock-server
# The first start parses and compiles the contracts into the cache folder: do it now, so
# every container starts from the cache. /data is where a --state-file volume goes.
RUN useradd --system --uid 10001 --user-group --home-dir /data --create-home sandbox \
    && mkdir -p "$XDG_CACHE_HOME" \
    && python -c "from mock_server.app import create_app; create_app()" \
    && chown -R sandbox:sandbox "$XDG_CACHE_HOME" /data
USER sandbox
WORKDIR /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/__admin/health' % os.environ.get('MOCK_SERVER_PORT', '8080'), timeout=2)"]
ENTRYPOINT ["mock-server"]
CMD ["serve"]
