"""gunicorn settings for the Pas-de-porte form app (gunicorn -c gunicorn.conf.py).

Each instance has its own clone (SUBMIT_REPO) and data folder (SUBMIT_DATA_DIR); set them in
the environment (see pasdeporte.env). The reverse proxy in front sends /proposer, /suivi,
/api/ and /app-static/ here and serves everything else from the built site.
"""

import os

wsgi_app = "submit_app:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Requests are short but write to git and SQLite: a few threaded workers are plenty on 2 cores.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = 4
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
errorlog = "-"
# Form uploads are capped by the app; refuse absurd headers early.
limit_request_line = 8190
