"""Placement models, one module per area; every model is tenant-owned."""

from placements.models.catalogue import *  # noqa: F403
from placements.models.placements import *  # noqa: F403
from placements.models.programmes import *  # noqa: F403
from placements.models.rounds import *  # noqa: F403
from placements.models.workplaces import *  # noqa: F403
