"""Pagination that counts cheaply: in the page query itself for searches, from the cache
(until the institution's data changes) for plain and filtered lists."""

from __future__ import annotations

import hashlib

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window
from django.utils.functional import cached_property

from wpl import freshness

_TOTAL = "_wpl_total_rows"


class OneQueryPaginator(Paginator):
    """A Paginator whose `get_page` fetches the page and the total in one query.

    The rows of the requested page carry `COUNT(*) OVER ()`, so a search's filter (a
    trigram index scan plus a recheck on PostgreSQL) runs once per request instead of
    once for the count and once for the page. Only worth it when the filter is the
    expensive part: an unfiltered list is cheaper as an index-only count plus a page read
    in index order (the window makes PostgreSQL read every row). A number past the last
    page (no rows) falls back to the usual count and shows the last page.
    """

    def get_page(self, number) -> Page:
        try:
            wanted = max(int(number), 1)
        except (TypeError, ValueError):
            wanted = 1
        bottom = (wanted - 1) * self.per_page
        counted = self.object_list.annotate(**{_TOTAL: Window(Count("*"))})
        rows = list(counted[bottom : bottom + self.per_page])
        if not rows:
            return super().get_page(number)
        total = getattr(rows[0], _TOTAL)
        self.__dict__["count"] = total  # fills the cached_property
        if self.orphans and total - (bottom + len(rows)) <= self.orphans:
            return super().get_page(number)  # the tail merges into this page: usual path
        return self._get_page(rows, wanted, self)


class CachedCountPaginator(Paginator):
    """A Paginator whose total is counted once until the institution's data changes.

    The total of an unfiltered list at 50,000 students is an index-only scan of every
    row on each page view; `wpl.freshness` keeps it until a write in the institution (or
    for `WPL_FIGURES_CACHE_SECONDS`). The key is the list query itself (its SQL and
    parameters), so each filter and each person's visibility has its own total.
    """

    def __init__(self, object_list, per_page, *, institution_id: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._institution_id = institution_id

    @cached_property
    def count(self) -> int:
        count = Paginator.count.func
        query = getattr(self.object_list, "query", None)
        if query is None:
            return count(self)
        sql, params = query.sql_with_params()
        key = hashlib.sha256(repr((sql, params)).encode()).hexdigest()[:32]
        return freshness.cached(self._institution_id, f"count:{key}", lambda: count(self))
