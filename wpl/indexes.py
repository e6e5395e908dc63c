"""Search indexes that PostgreSQL can use for `icontains` and that other databases skip.

`icontains` becomes `UPPER(expr::text) LIKE UPPER('%word%')` on PostgreSQL. A B-tree index
cannot serve a pattern with a leading wildcard; a GIN index with pg_trgm's `gin_trgm_ops`
on exactly `UPPER(expr)` can, so a search reads a few index pages instead of the table.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db.models import Index
from django.db.models.functions import Upper


class TrigramIndex(GinIndex):
    """GIN trigram index on ``UPPER(expression)`` (PostgreSQL with the pg_trgm extension).

    Declared in a model's ``Meta.indexes`` like any index. On other databases (SQLite in
    development and tests) it becomes a plain index on the same expression, so the
    migrations are the same everywhere; the queries behave identically, the index only
    makes them fast on PostgreSQL. Create the extension first (`TrigramExtension()`).
    """

    def __init__(self, expression, *, name: str, **kwargs):
        self.search_expression = expression
        super().__init__(OpClass(Upper(expression), name="gin_trgm_ops"), name=name, **kwargs)

    def deconstruct(self):
        path, _args, kwargs = super().deconstruct()
        return path, (self.search_expression,), kwargs

    def _fallback(self) -> Index:
        return Index(Upper(self.search_expression), name=self.name)

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return self._fallback().create_sql(model, schema_editor, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return self._fallback().remove_sql(model, schema_editor, **kwargs)
        return super().remove_sql(model, schema_editor, **kwargs)
