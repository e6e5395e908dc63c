"""Cost of the tenancy write guards (wpl/tenancy.py) on the demo data.

Each figure times the same write with the guards and without them (Django's own
`Model.save` / `QuerySet.bulk_create`, skipping TenantModel's checks), inside one
institution's tenant context, in a transaction that is rolled back:
- `save_cached`: a new site whose organisation object is in memory (compared, no query);
- `save_ids`: a new placement with four foreign keys given as ids (one lookup for all);
- `save_loaded`: a site read from the database, a text field changed, saved (no lookup);
- `bulk_create_1000`: 1,000 sites given as organisation ids (one lookup for the batch).
Figures: median microseconds per write (per batch for bulk_create) with and without guards.
"""

from __future__ import annotations

import statistics
import time

from django.db import models, transaction

N = 200
BATCH = 1000
INSTITUTION = "odisee"


class _Rollback(Exception):
    pass


def _timed(work, n: int) -> float:
    samples = []
    for _ in range(n):
        try:
            with transaction.atomic():
                t0 = time.perf_counter()
                work()
                samples.append(time.perf_counter() - t0)
                raise _Rollback
        except _Rollback:
            pass
    return statistics.median(samples) * 1e6


def _plain_save(obj) -> None:
    models.Model.save(obj)


def run() -> list[dict]:
    from placements.models import Placement
    from students.models import Student
    from workplaces.models import Organisation, Site
    from wpl.models import Institution
    from wpl.tenancy import TenantModel, TenantQuerySet, tenant_context

    institution = Institution.objects.get(slug=INSTITUTION)
    figures: list[dict] = []
    with tenant_context(institution):
        organisation = Organisation.objects.order_by("pk").first()
        student = Student.objects.order_by("pk").first()
        site = Site.objects.filter(organisation=organisation).first() or Site.objects.order_by("pk").first()

        def new_site():
            return Site(institution_id=institution.pk, organisation=organisation, name="Bench")

        def new_placement():
            return Placement(
                institution_id=institution.pk,
                student_id=student.pk,
                organisation_id=site.organisation_id,
                site_id=site.pk,
                programme_id=student.programme_id,
                academic_year="2030-2031",
                year=1,
            )

        def loaded_site():
            row = Site.objects.get(pk=site.pk)
            row.name = "Bench"
            return row

        def batch():
            return [
                Site(institution_id=institution.pk, organisation_id=organisation.pk)
                for _ in range(BATCH)
            ]

        cases = [
            ("save_cached", lambda: new_site().save(), lambda: _plain_save(new_site()), N),
            ("save_ids", lambda: new_placement().save(), lambda: _plain_save(new_placement()), N),
            ("save_loaded", None, None, N),
            (
                "bulk_create_1000",
                lambda: Site.objects.bulk_create(batch()),
                lambda: super(TenantQuerySet, Site.objects.get_queryset()).bulk_create(batch()),
                max(N // 20, 5),
            ),
        ]
        for name, guarded, plain, n in cases:
            if name == "save_loaded":
                # The read is the same in both; time the save only.
                def guarded_loaded():
                    row = loaded_site()
                    t0 = time.perf_counter()
                    TenantModel.save(row)
                    return time.perf_counter() - t0

                def plain_loaded():
                    row = loaded_site()
                    t0 = time.perf_counter()
                    models.Model.save(row)
                    return time.perf_counter() - t0

                with_guards = statistics.median(guarded_loaded() for _ in range(n)) * 1e6
                without = statistics.median(plain_loaded() for _ in range(n)) * 1e6
            else:
                with_guards, without = _timed(guarded, n), _timed(plain, n)
            for variant, value in (("guarded", with_guards), ("plain", without)):
                figures.append(
                    {"metric": f"tenancy_{name}_{variant}_us", "value": round(value, 1), "unit": "us", "n": n}
                )
    return figures
