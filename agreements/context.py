"""The values a document template sees: plain dicts and strings, nothing else.

Only what `fields.FIELDS` documents is put in the context, so a sandboxed template can
reach no model, manager or method. Dates use `j F Y` in the document's language.
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from agreements.fields import DEFAULT_TEXTS
from agreements.models import Kind, Party, Signature
from wpl import registry

NO_VALUE = "—"
WEEKDAY_NAMES = {
    1: _lazy("Monday"),
    2: _lazy("Tuesday"),
    3: _lazy("Wednesday"),
    4: _lazy("Thursday"),
    5: _lazy("Friday"),
    6: _lazy("Saturday"),
    7: _lazy("Sunday"),
}


def _date(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return formats.date_format(value, "j F Y")


def _person(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def default_fields(placement, *, language: str, coordinator=None) -> dict:
    """Initial field values of a new agreement, from the placement and its programme."""
    programme = placement.programme
    texts = DEFAULT_TEXTS.get(language, DEFAULT_TEXTS["nl"])
    offer = placement.offer
    if programme.paid:
        pay_kind = "paid"
    elif programme.has_allowance:
        pay_kind = "allowance"
    else:
        pay_kind = "unpaid"
    unit = placement.wpl_unit
    insurance = registry.insurance_for(placement)
    return {
        "representative": placement.organisation.contact_name,
        "weekdays": offer.weekdays if offer else "",
        "hours_per_week": "",
        "total_hours": str(unit.required_hours) if unit and unit.required_hours else "",
        "pay_kind": pay_kind,
        "allowance": str(programme.allowance_eur or ""),
        # The school's insurance as kept on /logbook/insurance/ (through the registry).
        "insurer": insurance.get("insurer", ""),
        "policy_number": insurance.get("policy_number", ""),
        "expenses": texts["expenses"],
        "confidentiality": texts["confidentiality"],
        "sickness": texts["sickness"],
        "accident": texts["accident"],
        "start": placement.start_date.isoformat() if placement.start_date else "",
        "end": placement.end_date.isoformat() if placement.end_date else "",
        "semester": "",
        "birth_date": "",
        "guardian_name": "",
        "guardian_email": "",
        "coordinator_name": coordinator.get_full_name() if coordinator else "",
        "coordinator_email": coordinator.email if coordinator else "",
        "plan_rows": default_plan_rows(placement),
    }


def default_plan_rows(placement) -> list[dict]:
    """One plan row per learning objective of the placement's WPL unit (empty otherwise)."""
    unit = placement.wpl_unit
    if unit is None:
        return []
    return [
        {"objective": o.text, "tasks": "", "period": "", "evidence": ""}
        for o in unit.objectives.order_by("order", "id")
    ]


def _weekdays(raw: str) -> str:
    days = []
    for part in str(raw or "").replace(" ", "").split(","):
        if part.isdigit() and int(part) in WEEKDAY_NAMES:
            days.append(str(WEEKDAY_NAMES[int(part)]))
        elif part:
            days.append(part)
    return ", ".join(days)


def _pay_kind(kind: str) -> str:
    return {"paid": _("Paid"), "allowance": _("Learning allowance"), "unpaid": _("Unpaid")}.get(kind, kind)


def signature_block(version, signatures=None) -> list[dict]:
    rows = []
    for sig in signatures if signatures is not None else version.signatures.all():
        status = {
            Signature.Status.ACCEPTED: _("Accepted in the platform"),
            Signature.Status.OUTSIDE: _("Signed outside the platform"),
            Signature.Status.CARRIED: _("Accepted (previous version)"),
        }.get(sig.status, _("Waiting for acceptance"))
        rows.append(
            {
                "party": str(Party(sig.party).label),
                "name": sig.signer_name,
                "status": str(status),
                "date": _date(sig.accepted_at.date()) if sig.accepted_at else "",
            }
        )
    return rows


def build_context(version, *, kind: str | None = None, signatures=None) -> dict:
    """The template context of a version (in the agreement's language)."""
    agreement = version.agreement
    placement = agreement.placement
    language = agreement.language
    f = version.fields
    with translation.override(language):
        student = placement.student
        organisation = placement.organisation
        site = placement.site
        mentor = placement.mentor
        supervisor = placement.supervisor.user if placement.supervisor_id else None
        hours = registry.placement_hours(placement)
        address = ""
        if site is not None:
            address = ", ".join(p for p in (site.street, f"{site.postcode} {site.municipality}".strip()) if p)
        doc_kind = kind or agreement.kind
        status = ""
        if version.state not in ("final", "superseded"):
            status = _("Draft, not in force")
        return {
            "institution": {"name": agreement.institution.name},
            "programme": {"name": placement.programme.name},
            "unit": {"name": placement.wpl_unit.name if placement.wpl_unit_id else ""},
            "organisation": {
                "name": organisation.name,
                "address": address,
                "enterprise_number": organisation.enterprise_number,
                "representative": f.get("representative", ""),
            },
            "student": {
                "name": _person(student.first_name, student.last_name),
                "first_name": student.first_name,
                "last_name": student.last_name,
                "number": student.student_number,
                "email": student.email,
                "birth_date": _date(f.get("birth_date")),
            },
            "guardian": {"name": f.get("guardian_name", ""), "email": f.get("guardian_email", "")},
            "mentor": {
                "name": _person(mentor.first_name, mentor.last_name) if mentor else "",
                "function": mentor.function if mentor else "",
                "email": mentor.email if mentor else "",
                "phone": mentor.phone if mentor else "",
            },
            "supervisor": {
                "name": supervisor.get_full_name() if supervisor else "",
                "email": supervisor.email if supervisor else "",
            },
            "coordinator": {"name": f.get("coordinator_name", ""), "email": f.get("coordinator_email", "")},
            "period": {
                "start": _date(f.get("start")),
                "end": _date(f.get("end")),
                "academic_year": placement.academic_year,
            },
            "schedule": {
                "weekdays": _weekdays(f.get("weekdays", "")),
                "hours_per_week": f.get("hours_per_week", ""),
                "total_hours": f.get("total_hours", ""),
            },
            "pay": {"kind": str(_pay_kind(f.get("pay_kind", ""))), "allowance": f.get("allowance", "")},
            "insurance": {"insurer": f.get("insurer", ""), "policy_number": f.get("policy_number", "")},
            "expenses": f.get("expenses", ""),
            "confidentiality": f.get("confidentiality", ""),
            "sickness": f.get("sickness", ""),
            "accident": f.get("accident", ""),
            "attendance": {
                "hours": _number(hours[0]) if hours else NO_VALUE,
                "days": str(hours[1]) if hours else NO_VALUE,
            },
            "plan": {"semester": f.get("semester", ""), "rows": [dict(r) for r in f.get("plan_rows", [])]},
            "document": {
                "title": str(Kind(doc_kind).label),
                "version": version.number,
                "date": _date((version.created_at or dt.datetime.now(dt.UTC)).date()),
                "status": status,
            },
            "signatures": signature_block(version, signatures),
        }


def _number(value) -> str:
    return formats.number_format(value, decimal_pos=0 if float(value).is_integer() else 1)


def sample_context(language: str) -> dict:
    """Sample data for the template preview (accents included on purpose)."""
    with translation.override(language):
        return {
            "institution": {"name": "Hogeschool Voorbeeld"},
            "programme": {"name": "Bachelor Sociaal Werk"},
            "unit": {"name": "Werkplekleren: Payroll"},
            "organisation": {
                "name": "Café Déjà Vu vzw",
                "address": "Kerkstraat 1, 9000 Gent",
                "enterprise_number": "0123.456.749",
                "representative": "Anaïs Vandenbroucke",
            },
            "student": {
                "name": "Zoë Van den Broeck",
                "first_name": "Zoë",
                "last_name": "Van den Broeck",
                "number": "r0123456",
                "email": "zoe@example.org",
                "birth_date": _date(dt.date(2009, 3, 14)),
            },
            "guardian": {"name": "Noël Van den Broeck", "email": "noel@example.org"},
            "mentor": {
                "name": "Jürgen Peeters",
                "function": "Teamcoach",
                "email": "j@example.org",
                "phone": "09 123 45 67",
            },
            "supervisor": {"name": "Renée Claes", "email": "r@example.org"},
            "coordinator": {"name": "Geneviève Maes", "email": "g@example.org"},
            "period": {
                "start": _date(dt.date(2026, 9, 21)),
                "end": _date(dt.date(2027, 6, 25)),
                "academic_year": "2026-2027",
            },
            "schedule": {"weekdays": _weekdays("3,4"), "hours_per_week": "16", "total_hours": "480"},
            "pay": {"kind": str(_pay_kind("unpaid")), "allowance": ""},
            "insurance": {"insurer": "Ethias", "policy_number": "45.123.456"},
            **dict(DEFAULT_TEXTS.get(language, DEFAULT_TEXTS["nl"])),
            "attendance": {"hours": "112", "days": "14"},
            "plan": {
                "semester": "Semester 1",
                "rows": [
                    {
                        "objective": "Communiceert met cliënten",
                        "tasks": "Intakegesprekken",
                        "period": "S1",
                        "evidence": "Verslag",
                    }
                ],
            },
            "document": {
                "title": "Werkplekovereenkomst",
                "version": 1,
                "date": _date(dt.date(2026, 9, 1)),
                "status": "",
            },
            "signatures": [
                {"party": str(Party(p).label), "name": n, "status": "", "date": ""}
                for p, n in (
                    ("student", "Zoë Van den Broeck"),
                    ("workplace", "Jürgen Peeters"),
                    ("school", "Renée Claes"),
                )
            ],
        }
