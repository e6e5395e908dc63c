"""Benchmark of agreement and plan PDFs, the seal and a 500-agreement batch ZIP.

Figures: `agreement_pdf_p95_ms` (the whole pipeline: context, sandboxed template,
WeasyPrint through the static-only fetcher; 2 pages) next to `bare_weasyprint_p95_ms`
(WeasyPrint alone on the very same HTML, same run); `plan_pdf_p95_ms` (a plan of 10 pages,
the page count read from the PDF);
`seal_ms` (PAdES seal of the final agreement, median); and a batch of 500 draft
agreements rendered into a ZIP by the batch builder: `batch_500_s`, `batch_pages_per_s`
and `batch_peak_mib` (peak resident memory of the process while the batch runs).
Run through the harness: `make bench` or `python -m bench agreements`;
`BENCH_AGREEMENTS_SKIP_BATCH=1` leaves out the batch (about 30 s) while iterating.
"""

from __future__ import annotations

import io
import os
import statistics
import threading
import time

N = 30
WARMUP = 3
BATCH = 500
INSTITUTION = "odisee"
OBJECTIVE = "communiceert professioneel met cliënten, collega's en externe partners"
TASKS = "Intakegesprekken voorbereiden en voeren; verslag in het dossier; overleg met het team. " * 2
# Learning objectives in the bench's plan: with the built-in Dutch plan template this is a
# 10-page PDF (the measure); the figure's "pages" is counted in the PDF itself.
PLAN_ROWS = 50
EVIDENCE = "Feedback van de mentor, reflectie in het logboek en een verslag dat de mentor aftekent."


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def timed(fn, n: int) -> list[float]:
    for _ in range(WARMUP):
        fn()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        resident = int(handle.read().split()[1])
    return resident * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakRss:
    """Samples the process's resident memory every 20 ms in a thread."""

    def __enter__(self):
        self.peak = rss_mib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mib())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mib())


def _setup(institution):
    from agreements import services
    from agreements.models import Kind
    from placements.models import Placement
    from wpl.models import Membership, Role

    coordinator = Membership.objects.filter(role=Role.COORDINATOR).select_related("user").first()
    placement = Placement.objects.select_related("student", "organisation", "programme").first()
    if placement is None:  # the demo made no placements: make the agreements demo's ones
        from agreements.demo import _demo_placements

        placement = _demo_placements(institution)[0]
    agreement = services.get_or_create_agreement(actor=coordinator, placement=placement)
    plan = services.get_or_create_agreement(actor=coordinator, placement=placement, kind=Kind.PLAN)
    if plan.current.state == "draft":
        rows = [
            {
                "objective": f"Leerdoel {i}: {OBJECTIVE}",
                "tasks": TASKS,
                "period": f"Semester {1 + i % 2}",
                "evidence": EVIDENCE,
            }
            for i in range(PLAN_ROWS)
        ]
        services.update_draft(
            actor=coordinator, version=plan.current, fields={"semester": "2026-2027"}, plan_rows=rows
        )
    return coordinator, agreement, plan


def _batch_world(institution, coordinator) -> list[int]:
    """500 placements with a draft agreement each (created once per run)."""
    from agreements.context import default_fields
    from agreements.models import Agreement, AgreementVersion
    from catalogue.models import Programme
    from placements.models import Placement
    from students.models import Student
    from workplaces.models import Organisation

    programme = Programme.objects.first()
    organisation = Organisation.objects.first()
    students = Student.objects.bulk_create(
        [
            Student(
                institution=institution,
                student_number=f"bench{i:05d}",
                first_name="Zoë",
                last_name=f"Bench{i:04d}",
                email=f"bench{i}@bench.example.org",
                programme=programme,
                year=1,
            )
            for i in range(BATCH)
        ]
    )
    placements = Placement.objects.bulk_create(
        [
            Placement(
                institution=institution,
                student=s,
                organisation=organisation,
                programme=programme,
                academic_year="2030-2031",
                year=1,
            )
            for s in students
        ]
    )
    placements = list(
        Placement.objects.filter(academic_year="2030-2031").select_related("programme", "organisation")
    )
    agreements = Agreement.objects.bulk_create(
        [Agreement(institution=institution, placement=p, kind="agreement", language="nl") for p in placements]
    )
    fields = default_fields(placements[0], language="nl", coordinator=coordinator.user)
    fields.update(
        {"hours_per_week": "16", "total_hours": "480", "insurer": "Ethias", "policy_number": "45.123.456"}
    )
    AgreementVersion.objects.bulk_create(
        [AgreementVersion(institution=institution, agreement=a, number=1, fields=fields) for a in agreements]
    )
    return [p.pk for p in placements]


def run() -> list[dict]:
    from weasyprint import HTML

    from agreements import batch, documents, services
    from agreements.models import BatchExport
    from wpl.models import Institution
    from wpl.pdf import StaticOnlyFetcher
    from wpl.tenancy import tenant_context

    institution = Institution.objects.get(slug=INSTITUTION)
    figures: list[dict] = []
    with tenant_context(institution):
        coordinator, agreement, plan = _setup(institution)
        version = agreement.current
        # The very same document for bare WeasyPrint: the print stylesheet inline, rendered
        # the way WeasyPrint does by default (a new font configuration, CSS parsed each time).
        html = documents.version_html(version, inline_css=True)
        agreement_pages = pages(documents.version_pdf(version))
        full = timed(lambda: documents.version_pdf(version), N)
        bare = timed(lambda: HTML(string=html, url_fetcher=StaticOnlyFetcher()).write_pdf(), N)
        figures += [
            {
                "metric": "agreement_pdf_p95_ms",
                "value": round(p95(full), 1),
                "unit": "ms",
                "n": N,
                "pages": agreement_pages,
            },
            {
                "metric": "bare_weasyprint_p95_ms",
                "value": round(p95(bare), 1),
                "unit": "ms",
                "n": N,
                "pages": agreement_pages,
            },
            {
                "metric": "agreement_vs_bare_ratio",
                "value": round(p95(full) / p95(bare), 2),
                "unit": "x",
                "n": N,
            },
        ]
        plan_version = plan.current
        plan_pages = pages(documents.version_pdf(plan_version))
        plan_samples = timed(lambda: documents.version_pdf(plan_version), 15)
        figures.append(
            {
                "metric": "plan_pdf_p95_ms",
                "value": round(p95(plan_samples), 1),
                "unit": "ms",
                "n": 15,
                "pages": plan_pages,
            }
        )
        pdf = documents.version_pdf(version)
        seal_samples = timed(lambda: services.seal_bytes(pdf, reason="bench"), 10)
        figures.append(
            {"metric": "seal_ms", "value": round(statistics.median(seal_samples), 1), "unit": "ms", "n": 10}
        )

        if os.environ.get("BENCH_AGREEMENTS_SKIP_BATCH") == "1":
            return figures
        ids = _batch_world(institution, coordinator)
        export = BatchExport.objects.create(requested_by=coordinator, placement_ids=ids, total=len(ids))
        before = rss_mib()
        with PeakRss() as memory:
            start = time.perf_counter()
            batch.build(batch_id=export.pk)
            seconds = time.perf_counter() - start
        export.refresh_from_db()
        if export.failures:
            raise RuntimeError(f"batch failures: {export.failures[:3]}")
        figures += [
            {"metric": "batch_500_s", "value": round(seconds, 1), "unit": "s", "n": len(ids)},
            {
                "metric": "batch_pages_per_s",
                "value": round(len(ids) * agreement_pages / seconds, 1),
                "unit": "pages/s",
                "n": len(ids),
            },
            {
                "metric": "batch_peak_mib",
                "value": round(memory.peak, 1),
                "unit": "MiB",
                "n": len(ids),
                # the process before the batch (Django, demo seeding, WeasyPrint's fonts):
                # the batch's own share is the difference
                "before_mib": round(before, 1),
            },
        ]
    return figures
