"""Programmes, workplaces, mentors, offers, matching, placements, agreements, plans."""
