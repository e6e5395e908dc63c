"""Rubrics, assessments, scores and reflections."""
