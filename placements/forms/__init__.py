"""Forms of the placements app, one module per area."""
