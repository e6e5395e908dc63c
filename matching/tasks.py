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


def _send(placement, to: str, user, subject, body) -> int:
    """One mail in the recipient's language, from the placement's institution (wpl.mail)."""
    from wpl import mail
    from wpl.models import Institution

    institution = Institution.objects.get(pk=placement.institution_id)
    with translation.override(mail.language_for(user=user, email=to, institution=institution)):
        facts = _placement_text(placement)
        return send_mail(subject(facts), body(facts), mail.from_address(institution), [to])


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
    # Each mail in its recipient's language (wpl.mail), so the texts are built per recipient.
    student = placement.student
    sent += _send(
        placement,
        student.email,
        student.user,
        lambda facts: _("Your workplace learning placement"),
        lambda facts: _(
            "Dear %(student)s,\n\nYou will do your workplace learning (%(programme)s, year %(year)s, "
            "%(academic_year)s) at %(organisation)s. Your mentor: %(mentor)s.\n"
        )
        % facts,
    )
    host_address = placement.mentor.email if placement.mentor else placement.organisation.contact_email
    if host_address:
        sent += _send(
            placement,
            host_address,
            placement.mentor.user if placement.mentor else None,
            lambda facts: _("A student was placed with you"),
            lambda facts: _(
                "Hello,\n\n%(student)s (%(programme)s, year %(year)s, %(academic_year)s) will do "
                "workplace learning at %(organisation)s. Mentor: %(mentor)s.\n"
            )
            % facts,
        )
    if placement.supervisor_id and placement.supervisor.user.email:
        sent += _send(
            placement,
            placement.supervisor.user.email,
            placement.supervisor.user,
            lambda facts: _("A student was placed"),
            lambda facts: _(
                "Hello,\n\nYou supervise %(student)s at %(organisation)s (%(programme)s, year %(year)s, "
                "%(academic_year)s).\n"
            )
            % facts,
        )
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
    sent = _send(
        placement,
        placement.supervisor.user.email,
        placement.supervisor.user,
        lambda facts: _("You supervise a new student"),
        lambda facts: _(
            "Hello,\n\nYou supervise %(student)s at %(organisation)s (%(programme)s, year %(year)s, "
            "%(academic_year)s). Mentor: %(mentor)s.\n"
        )
        % facts,
    )
    cache.set(key, 1, SENT_TTL)
    return sent
