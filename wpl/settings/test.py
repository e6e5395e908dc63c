"""Settings for the test suite (SQLite by default, PostgreSQL when DATABASE_URL is set)."""

import os

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
ACCOUNT_RATE_LIMITS = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions in the database with or without REDIS_URL, so query counts do not depend on it.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Database -------------------------------------------------------------------------
# The SQLite test database is a file, not memory, so that a real Celery worker started by
# a test (tests/test_celery_worker.py) opens the very database the test writes to. It lives
# in RAM (/dev/shm) where there is one and skips fsync, so it is nearly as fast as memory.
# The process id keeps concurrent runs apart; pytest-django appends the xdist worker id
# itself and Django deletes the file when the run ends.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _shm = Path("/dev/shm")  # noqa: F405, S108 - RAM disk; a private folder is made inside
    _test_db_dir = VAR_DIR / "test-db"  # noqa: F405
    if _shm.is_dir() and os.access(_shm, os.W_OK):
        _test_db_dir = _shm / f"wpl-test-{os.getuid()}"
    _test_db_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    # A run that was killed leaves its file behind: remove those of processes that are gone.
    for _stale in _test_db_dir.glob("wpl-test-*.sqlite3*"):
        _pid = _stale.name.removeprefix("wpl-test-").partition(".")[0]
        try:
            os.kill(int(_pid), 0)
        except ProcessLookupError:
            _stale.unlink(missing_ok=True)
        except (ValueError, PermissionError):
            pass
    DATABASES["default"]["TEST"] = {"NAME": str(_test_db_dir / f"wpl-test-{os.getpid()}.sqlite3")}  # noqa: F405
    DATABASES["default"]["OPTIONS"]["init_command"] += "PRAGMA synchronous=OFF;"  # noqa: F405

# --- Celery ---------------------------------------------------------------------------
# Tasks run eagerly in the test process. Tests that talk to a real worker switch eager
# mode off for their own calls and use this broker and result backend (a separate Redis
# database, so a developer's queues are never touched).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL") or REDIS_URL or "redis://127.0.0.1:6379/15"  # noqa: F405
CELERY_BROKER_URL = REDIS_TEST_URL
CELERY_RESULT_BACKEND = REDIS_TEST_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {}
