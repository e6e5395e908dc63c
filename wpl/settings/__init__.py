"""Development / demo settings: the embedded defaults used by `make run`."""

from .base import *  # noqa: F403
from .base import env_bool

# DEBUG stays off unless asked for (DEBUG=1): the debug page lists every URL pattern to anyone
# following a stale link. Static files are served by whitenoise either way.
DEBUG = env_bool("DEBUG", False)
