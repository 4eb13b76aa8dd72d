# One image for every grantdesk process: the web app (default CMD), the Temporal worker
# (`python -m runtime worker`: the `grantdesk` command, with lighter PDF renderers) and the one-off schema
# migration (`grantdesk migrate`).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDF decisions) needs Pango and HarfBuzz at run time, plus at least one font; SAML (applicants'
# identification, pysaml2) signs and decrypts with xmlsec1.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        xmlsec1 \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user that runs the app (it gets a home for fontconfig's cache).
RUN useradd --create-home --uid 10001 grantdesk

WORKDIR /app
COPY . .

# Editable install on purpose: core.settings.PROJECT_ROOT is the parent of the `core` package, and the app
# reads templates/, programmes/, migrations/, alembic.ini, web/static and web/locales relative to it.
# A regular install would put the packages in site-packages, away from those files; the editable install
# keeps the code running from /app. The tree stays owned by root: the app user can read it, not change it.
RUN pip install --no-cache-dir -e . \
    && python -m compileall -q core workflows activities web models migrations

# Documents and uploads live on a volume the app user can write (compose mounts one here).
RUN mkdir -p /data/documents && chown grantdesk /data/documents
ENV ENVIRONMENT=production
ENV DOCUMENTS_DIR=/data/documents
USER grantdesk

EXPOSE 8000
# Checks the web app; compose disables it for the worker and migrate containers, which serve no HTTP.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["grantdesk", "web", "--host", "0.0.0.0", "--port", "8000"]
