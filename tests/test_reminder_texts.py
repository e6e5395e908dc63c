"""Reminder texts filled into a template rendered once (`render_text`) are the texts a full
rendering with the real objects gives: in every language, with names that need escaping,
plurals, empty optional parts; and every sweep stores exactly those texts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from agreements.models import AgreementVersion
from meetings.models import Meeting
from placements.models import Placement
from placements.wpl_days import count_between, placement_wpl_days
from tests.factories import ProgrammeFactory
from tests.fixtures import add_due_placements
from workplaces.models import Organisation
from wpl import notifications
from wpl.models import Notification, User
from wpl.tasks import run_reminder_sweeps
from wpl.tenancy import tenant_context

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
TRICKY = 'Zoë & <Ann> "O\'Neil"'


def _full(template: str, language: str, context: dict) -> tuple[str, str]:
    """What notify() stores: the template rendered with the real values."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}_body.txt", context)
    return " ".join(subject.split())[:255], body.strip()


def _nested(flat: dict) -> dict:
    out: dict = {}
    for dotted, value in flat.items():
        *path, last = dotted.split(".")
        node = out
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return out


starts = datetime(2026, 3, 2, 13, 30, tzinfo=BRUSSELS)
CASES = [
    ("logbooks/notifications/not_logged", {"missed": 1, "since": None}, {"placement.organisation": TRICKY}),
    ("logbooks/notifications/not_logged", {"missed": 4, "since": None}, {"placement.organisation": "A&B"}),
    ("logbooks/notifications/not_logged_staff", {"missed": 7, "since": date(2026, 2, 3)},
     {"placement.student": TRICKY, "placement.organisation": "<b>x</b>"}),
    ("logbooks/notifications/not_logged_staff", {"missed": 1, "since": None},
     {"placement.student": "Jan", "placement.organisation": "Acme"}),
    ("logbooks/notifications/review_waiting", {"waiting": 1, "since": date(2026, 1, 5), "role": "mentor"},
     {"placement.student": TRICKY}),
    ("logbooks/notifications/review_waiting", {"waiting": 3, "since": date(2026, 1, 5), "role": "supervisor"},
     {"placement.student": TRICKY}),
    ("agreements/notifications/unsigned", {"version": 2, "sent_on": date(2026, 4, 1), "role": "signer"},
     {"agreement": TRICKY, "waiting": "A & B, <C>"}),
    ("agreements/notifications/unsigned", {"version": 1, "sent_on": date(2026, 4, 1), "role": "coordinator"},
     {"agreement": TRICKY, "waiting": "A & B, <C>"}),
    ("meetings/notifications/tomorrow", {"meeting.starts_at": starts},
     {"meeting.title": TRICKY, "meeting.location": "Lokaal \"A\" & <B>"}),
    ("meetings/notifications/tomorrow", {"meeting.starts_at": starts},
     {"meeting.title": "T", "meeting.location": ""}),
    ("meetings/notifications/minutes_due", {"meeting.starts_at": starts}, {"meeting.title": TRICKY}),
]  # fmt: skip


@pytest.mark.parametrize("language", ["nl", "en", "fr"])
@pytest.mark.parametrize(("template", "context", "text"), CASES)
def test_filled_text_is_the_full_rendering(template, context, text, language):
    text = {"recipient.get_short_name": "Ély & <Co>", **text}
    expected = _full(template, language, _nested({**context, **text}))
    assert notifications.render_text(template, language, context, text) == expected
    # Rendered once per language and context: other names reuse the template.
    other = {k: f"{v} 2" if v else v for k, v in text.items()}
    assert notifications.render_text(template, language, context, other) == _full(
        template, language, _nested({**context, **other})
    )


def test_a_filter_on_a_filled_in_value_is_refused():
    with pytest.raises(ValueError, match="filter"):
        notifications._stencil("wpl/notifications/digest_subject.txt", "nl", (), ("items",))


def test_every_sweep_stores_the_texts_of_a_full_rendering(personas):
    """The sweeps read values instead of objects: their texts are still the ones the
    templates give with the placements, meetings and agreements themselves."""
    a = personas.a
    programme = ProgrammeFactory(institution=a)
    add_due_placements(a, programme=programme, count=4)
    with tenant_context(a):
        Organisation.objects.update(name="Bakker & Zn <BV>")
        for p in Placement.objects.select_related("student"):
            p.student.first_name, p.student.last_name = "Zoë & <Ann>", f'"{p.pk}"'
            p.student.save()
        Meeting.objects.update(title=TRICKY, location="Lokaal & <1>")
        users = list(User.objects.filter(notifications__isnull=True).order_by("pk"))
        for index, user in enumerate(users):
            user.preferred_language = ("nl", "en", "fr")[index % 3]
            user.first_name = f"Ély & <{index}>" if index % 2 else ""
            user.save()
    result = run_reminder_sweeps.apply(kwargs={"institution_id": a.pk}).get()
    assert sum(result.values()) > 30
    now = timezone.now()
    yesterday = timezone.localdate(now) - timedelta(days=1)
    checked = set()
    with tenant_context(a):
        for n in Notification.objects.select_related("recipient"):
            kind, pk, *rest = n.key.split(":")
            user = n.recipient
            language = notifications.recipient_language(user)
            base = {"recipient": user, "url": n.url}
            if kind == "logbooks.not_logged":
                p = Placement.objects.get(pk=pk)
                days = placement_wpl_days(p)
                context = {"placement": p, "since": None, "missed": count_between(days, None, yesterday)}
                template = "logbooks/notifications/" + (
                    "not_logged" if rest[1] == "0" else "not_logged_staff"
                )
            elif kind == "logbooks.review":
                p = Placement.objects.get(pk=pk)
                entries = p.logbook_entries.filter(status="submitted")
                role = "mentor" if user == p.mentor.user else "supervisor"
                since = timezone.localdate(min(e.submitted_at for e in entries))
                context = {"placement": p, "waiting": entries.count(), "since": since, "role": role}
                template = "logbooks/notifications/review_waiting"
            elif kind == "agreements.unsigned":
                version = AgreementVersion.objects.select_related("agreement").get(pk=pk)
                step = int(rest[0])
                waiting = [s for s in version.signatures.all() if not s.done]
                context = {
                    "agreement": str(version.agreement), "version": version.number,
                    "sent_on": timezone.localdate(version.sent_at),
                    "role": ("signer", "supervisor", "coordinator")[step],
                    "waiting": ", ".join(s.signer_name or s.get_party_display() for s in waiting),
                }  # fmt: skip
                template = "agreements/notifications/unsigned"
            elif kind in ("meetings.tomorrow", "meetings.minutes-due"):
                context = {"meeting": Meeting.objects.get(pk=pk)}
                template = "meetings/notifications/" + (
                    "tomorrow" if kind == "meetings.tomorrow" else "minutes_due"
                )
            else:
                continue
            assert (n.subject, n.body) == _full(template, language, {**base, **context}), n.key
            checked.add((kind, language))
    assert {k for k, _ in checked} == {
        "logbooks.not_logged", "logbooks.review", "agreements.unsigned", "meetings.tomorrow",
        "meetings.minutes-due",
    }  # fmt: skip
    assert {lang for _, lang in checked} == {"nl", "en", "fr"}


def test_the_waiting_names_joined_before_are_what_the_join_filter_gave():
    """unsigned_body.txt now takes the names joined in Python: the same text as joining
    them in the template (each name escaped, ", " between)."""
    from django.template import engines

    names = ["A & B", "<C>", "D"]
    engine = engines["django"]
    with translation.override("nl"):
        before = engine.from_string(
            '{% load i18n %}{% blocktranslate with names=waiting|join:", " %}Still to sign: {{ names }}.'
            "{% endblocktranslate %}"
        ).render({"waiting": names})
        after = engine.from_string(
            "{% load i18n %}{% blocktranslate with names=waiting %}Still to sign: {{ names }}."
            "{% endblocktranslate %}"
        ).render({"waiting": ", ".join(names)})
    assert before == after and "A &amp; B, &lt;C&gt;, D" in after
