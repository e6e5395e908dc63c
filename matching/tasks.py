"""Notifications of the matching area (Celery tenant tasks; ids in, idempotent)."""

from __future__ import annotations

from django.core.cache import cache
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from wpl.tasks import tenant_task

SENT_TTL = 60 * 60 * 24 * 60  # remember sent notifications for 60 days


def _once(key: str) -> bool:
    """True when the notification `key` was already sent (a re-run sends nothing)."""
    return cache.get(key) is not None


def _placement_text(placement) -> dict:
    site = f" ({placement.site.name})" if placement.site else ""
    return {
        "student": str(placement.student),
        "organisation": f"{placement.organisation.name}{site}",
        "programme": placement.programme.name,
        "year": placement.year,
        "academic_year": placement.academic_year,
        "mentor": str(placement.mentor) if placement.mentor else _("to be confirmed"),
    }


@tenant_task(name="matching.tasks.notify_placement_published")
def notify_placement_published(*, institution_id: int, placement_id: int) -> int:
    """Tell the student, the mentor (or workplace contact) and the supervisor about a placement."""
    from placements.models import Placement

    key = f"wpl:{institution_id}:placement-published:{placement_id}"
    placement = (
        Placement.objects.filter(pk=placement_id)
        .select_related("student__user", "organisation", "site", "mentor", "supervisor__user", "programme")
        .first()
    )
    if placement is None or _once(key):
        return 0
    sent = 0
    with translation.override("nl"):
        facts = _placement_text(placement)
        subject = _("Your workplace learning placement")
        student_body = (
            _(
                "Dear %(student)s,\n\nYou will do your workplace learning (%(programme)s, year %(year)s, "
                "%(academic_year)s) at %(organisation)s. Your mentor: %(mentor)s.\n"
            )
            % facts
        )
        sent += send_mail(subject, student_body, None, [placement.student.email])
        host_address = placement.mentor.email if placement.mentor else placement.organisation.contact_email
        if host_address:
            host_body = (
                _(
                    "Hello,\n\n%(student)s (%(programme)s, year %(year)s, %(academic_year)s) will do "
                    "workplace learning at %(organisation)s. Mentor: %(mentor)s.\n"
                )
                % facts
            )
            sent += send_mail(_("A student was placed with you"), host_body, None, [host_address])
        if placement.supervisor_id and placement.supervisor.user.email:
            sup_body = (
                _(
                    "Hello,\n\nYou supervise %(student)s at %(organisation)s (%(programme)s, year %(year)s, "
                    "%(academic_year)s).\n"
                )
                % facts
            )
            sent += send_mail(_("A student was placed"), sup_body, None, [placement.supervisor.user.email])
    cache.set(key, 1, SENT_TTL)
    return sent


@tenant_task(name="matching.tasks.notify_supervisor_assigned")
def notify_supervisor_assigned(*, institution_id: int, placement_id: int, supervisor_id: int) -> int:
    """Tell a supervisor they follow a student; skipped when the choice changed since."""
    from placements.models import Placement

    key = f"wpl:{institution_id}:supervisor-assigned:{placement_id}:{supervisor_id}"
    placement = (
        Placement.objects.filter(pk=placement_id, supervisor_id=supervisor_id)
        .select_related("student", "organisation", "site", "mentor", "supervisor__user", "programme")
        .first()
    )
    if placement is None or _once(key):
        return 0
    with translation.override("nl"):
        body = _(
            "Hello,\n\nYou supervise %(student)s at %(organisation)s (%(programme)s, year %(year)s, "
            "%(academic_year)s). Mentor: %(mentor)s.\n"
        ) % _placement_text(placement)
        sent = send_mail(_("You supervise a new student"), body, None, [placement.supervisor.user.email])
    cache.set(key, 1, SENT_TTL)
    return sent
