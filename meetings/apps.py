from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Meetings, visits, minutes, calendar invitations and meeting reminders."""

    name = "meetings"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from meetings import tasks
        from wpl import registry

        registry.register_nav(
            registry.NavEntry(
                label=_("Meetings"), url_name="meetings-list", visible=lambda m: m is not None, order=60
            )
        )
        registry.register_start_items(start_items)
        registry.register_demo_seeder("meetings.demo.seed", order=60)
        registry.register_reminder_sweep("meetings.tomorrow", tasks.sweep_meetings_tomorrow)
        registry.register_reminder_kind(tasks.MINUTES_KIND)
        registry.register_reminder_sweep("meetings.minutes", tasks.sweep_minutes_due)
        from meetings.selectors import guidance_attendance

        registry.register_score_input("guidance", guidance_attendance)


def start_items(membership):
    """Agreed actions I own and invitations awaiting my answer: one query for both.

    (Staff find placements with too few meetings at /meetings/coverage/, linked from
    /meetings/; counting them needs the programme requirements, too heavy for every
    start page.)
    """
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce
    from django.urls import reverse
    from django.utils import timezone

    from meetings.models import Action, Meeting, Participant
    from wpl.models import User
    from wpl.registry import StartItem

    def count(qs, by):
        return Coalesce(Subquery(qs.order_by().values(by).annotate(n=Count("id")).values("n")[:1]), 0)

    actions = Action.objects.filter(owner_id=OuterRef("pk"), done_at__isnull=True)
    awaiting = Participant.objects.filter(
        user_id=OuterRef("pk"),
        response=Participant.Response.PENDING,
        meeting__status=Meeting.Status.PLANNED,
        meeting__starts_at__gte=timezone.now(),
    )
    row = (
        User.objects.filter(pk=membership.user_id)
        .annotate(actions=count(actions, "owner_id"), awaiting=count(awaiting, "user_id"))
        .values("actions", "awaiting")
        .first()
    ) or {"actions": 0, "awaiting": 0}
    url = reverse("meetings-list")
    return [
        StartItem(label=_("Agreed actions to do"), url=url, count=row["actions"], order=40),
        StartItem(label=_("Meetings awaiting your answer"), url=url, count=row["awaiting"], order=41),
    ]
