"""Issue 14: database settings and indexes that keep the list pages fast at scale."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from students.models import Student


def test_connections_are_kept_and_checked():
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True


def test_list_and_search_indexes_are_declared_on_the_model():
    names = {index.name for index in Student._meta.indexes}
    assert {"student_list_order", "student_search_trgm"} <= names


@pytest.mark.django_db
def test_search_index_exists_in_the_database():
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Student._meta.db_table)
    assert "student_search_trgm" in indexes
    assert "student_list_order" in indexes


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_search_index_is_a_trigram_gin_index():
    """On PostgreSQL the search expression has a pg_trgm GIN index (what makes LIKE '%w%' fast)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (pg_trgm)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'student_search_trgm'")
        (definition,) = cursor.fetchone()
    assert "USING gin" in definition and "gin_trgm_ops" in definition and "upper(" in definition
