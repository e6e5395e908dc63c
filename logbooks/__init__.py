"""Daily logbook entries, hours and absences."""
