"""Reads of the placements app, one module per area."""
