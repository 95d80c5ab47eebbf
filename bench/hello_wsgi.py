"""The smallest WSGI application: the ceiling of gunicorn + the HTTP client on this machine, for
``bench/api_read.py`` to show beside the API (same gunicorn settings, no Django, no database).

    .venv/bin/gunicorn bench.hello_wsgi:application --bind 127.0.0.1:8001
"""

BODY = b'{"ok": true}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
