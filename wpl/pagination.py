"""Pagination that counts in the page query itself, for filtered (searched) lists."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window

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
