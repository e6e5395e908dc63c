"""Getting everyone in: students invited in bulk and single sign-on per institution.

Sits above `students` and `workplaces` (it reads both); the core reaches it only through
settings (`SOCIALACCOUNT_ADAPTER`) and the registry (start-page figures, demo seeder).
"""
