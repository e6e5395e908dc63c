"""Notifications of the matching area (Celery tenant tasks; ids in, idempotent).

Everything goes through `wpl.notifications.notify()`: one durable row per recipient and
occasion (keys like ``placement.published:<id>:<recipient>``), so a re-run or a retried
task sends nothing twice and a dead worker's mail is retried by the delivery sweep.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from wpl.tasks import tenant_task

TEMPLATE = "placements/notifications/text"


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


def _send(*, key: str, user, address: str, subject, body) -> int:
    """Notify one person (by account, else by address); 1 when a new row was made.

    `subject` and `body` are callables run in the recipient's language.
    """
    from wpl.notifications import notify, recipient_key, recipient_language

    if user is None and not address:
        return 0
    with translation.override(recipient_language(user)):
        context = {"subject": subject(), "body": body()}
    created = notify(
        recipient=user,
        email_address=address,
        key=f"{key}:{recipient_key(user, address)}",
        template=TEMPLATE,
        context=context,
    )
    return int(created is not None)


@tenant_task(name="matching.tasks.notify_placement_published")
def notify_placement_published(*, institution_id: int, placement_id: int) -> int:
    """Tell the student, the mentor (or workplace contact) and the supervisor about a placement."""
    from placements.models import Placement

    placement = (
        Placement.objects.filter(pk=placement_id)
        .select_related(
            "student__user", "organisation", "site", "mentor__user", "supervisor__user", "programme"
        )
        .first()
    )
    if placement is None:
        return 0
    key = f"placement.published:{placement.pk}"
    facts = lambda: _placement_text(placement)  # noqa: E731 -- rendered per language
    student = placement.student
    sent = _send(
        key=key,
        user=student.user,
        address=student.email,
        subject=lambda: _("Your workplace learning placement"),
        body=lambda: (
            _(
                "Dear %(student)s,\n\nYou will do your workplace learning (%(programme)s, year %(year)s, "
                "%(academic_year)s) at %(organisation)s. Your mentor: %(mentor)s.\n"
            )
            % facts()
        ),
    )
    mentor = placement.mentor
    sent += _send(
        key=key,
        user=mentor.user if mentor else None,
        address=mentor.email if mentor else placement.organisation.contact_email,
        subject=lambda: _("A student was placed with you"),
        body=lambda: (
            _(
                "Hello,\n\n%(student)s (%(programme)s, year %(year)s, %(academic_year)s) will do "
                "workplace learning at %(organisation)s. Mentor: %(mentor)s.\n"
            )
            % facts()
        ),
    )
    if placement.supervisor_id:
        sent += _send(
            key=key,
            user=placement.supervisor.user,
            address="",
            subject=lambda: _("A student was placed"),
            body=lambda: (
                _(
                    "Hello,\n\nYou supervise %(student)s at %(organisation)s (%(programme)s, year %(year)s, "
                    "%(academic_year)s).\n"
                )
                % facts()
            ),
        )
    return sent


@tenant_task(name="matching.tasks.notify_supervisor_assigned")
def notify_supervisor_assigned(*, institution_id: int, placement_id: int, supervisor_id: int) -> int:
    """Tell a supervisor they follow a student; skipped when the choice changed since."""
    from placements.models import Placement

    placement = (
        Placement.objects.filter(pk=placement_id, supervisor_id=supervisor_id)
        .select_related("student", "organisation", "site", "mentor", "supervisor__user", "programme")
        .first()
    )
    if placement is None:
        return 0
    return _send(
        key=f"placement.supervisor-assigned:{placement.pk}:{supervisor_id}",
        user=placement.supervisor.user,
        address="",
        subject=lambda: _("You supervise a new student"),
        body=lambda: (
            _(
                "Hello,\n\nYou supervise %(student)s at %(organisation)s (%(programme)s, year %(year)s, "
                "%(academic_year)s). Mentor: %(mentor)s.\n"
            )
            % _placement_text(placement)
        ),
    )
