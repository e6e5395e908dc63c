"""Placement models, one module per area; every model is tenant-owned."""

from placements.models.catalogue import *  # noqa: F403
from placements.models.changes import *  # noqa: F403
from placements.models.criteria import *  # noqa: F403
from placements.models.offers import *  # noqa: F403
from placements.models.placements import *  # noqa: F403
from placements.models.programmes import *  # noqa: F403
from placements.models.quality import *  # noqa: F403
from placements.models.rounds import *  # noqa: F403
from placements.models.workplaces import *  # noqa: F403
