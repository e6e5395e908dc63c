"""The documented fields a document template may use, and the default texts.

This list is the contract between the platform and the institution admins who write
templates: `rendering.check_template()` rejects (reports) any variable or attribute that is
not listed here, and `context.build_context()` fills exactly these keys. Keep the three in
step. A field ending in `[]` is a list; its item fields follow as `name[].item`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# path -> what it holds (shown on the template editor page as the documented field list)
FIELDS: dict[str, str] = {
    "institution.name": _("Name of the institution"),
    "programme.name": _("Programme"),
    "unit.name": _("WPL unit (empty for a whole year)"),
    "organisation.name": _("Name of the workplace organisation"),
    "organisation.address": _("Address of the workplace (site)"),
    "organisation.enterprise_number": _("Enterprise number (KBO/BCE)"),
    "organisation.representative": _("Legal representative of the organisation"),
    "student.name": _("Student's full name"),
    "student.first_name": _("Student's first name"),
    "student.last_name": _("Student's last name"),
    "student.number": _("Student number"),
    "student.email": _("Student's e-mail address"),
    "student.birth_date": _("Student's date of birth (j F Y; empty when not entered)"),
    "guardian.name": _("Legal representative of a minor student (empty for an adult)"),
    "guardian.email": _("E-mail address of the minor's legal representative"),
    "mentor.name": _("Mentor's full name"),
    "mentor.function": _("Mentor's function"),
    "mentor.email": _("Mentor's e-mail address"),
    "mentor.phone": _("Mentor's phone"),
    "supervisor.name": _("Supervisor (school) full name"),
    "supervisor.email": _("Supervisor's e-mail address"),
    "coordinator.name": _("WPL coordinator's full name"),
    "coordinator.email": _("WPL coordinator's e-mail address"),
    "period.start": _("Start date (j F Y)"),
    "period.end": _("End date (j F Y)"),
    "period.academic_year": _("Academic year"),
    "schedule.weekdays": _("Weekdays at the workplace"),
    "schedule.hours_per_week": _("Hours per week"),
    "schedule.total_hours": _("Total hours"),
    "pay.kind": _("Unpaid, learning allowance or paid (text)"),
    "pay.allowance": _("Allowance in euro (empty when unpaid)"),
    "insurance.insurer": _("Insurer (insurance by the school)"),
    "insurance.policy_number": _("Policy number"),
    "expenses": _("Expenses borne by the workplace"),
    "confidentiality": _("Confidentiality clause"),
    "sickness": _("What to do on sickness"),
    "accident": _("What to do on a work accident"),
    "attendance.hours": _("Approved hours from the logbook (— when unknown)"),
    "attendance.days": _("Days at the workplace from the logbook (— when unknown)"),
    "plan.semester": _("Semester or period the plan covers"),
    "plan.rows[]": _("Rows of the work-learning plan"),
    "plan.rows[].objective": _("Competence or learning objective"),
    "plan.rows[].tasks": _("Tasks and activities"),
    "plan.rows[].period": _("Period or semester"),
    "plan.rows[].evidence": _("How progress will show"),
    "document.title": _("Title of the document"),
    "document.version": _("Version number"),
    "document.date": _("Date of this version"),
    "document.status": _("Draft / effective marker"),
    "signatures[]": _("The signature block: one item per party"),
    "signatures[].party": _("Party (student, workplace, school, …)"),
    "signatures[].name": _("Name of the signer"),
    "signatures[].status": _("Accepted / pending / signed outside the platform"),
    "signatures[].date": _("Date of acceptance"),
}

# Fields a coordinator edits per agreement (stored in the version's `fields`).
EDITABLE = (
    "representative",
    "weekdays",
    "hours_per_week",
    "total_hours",
    "pay_kind",
    "allowance",
    "insurer",
    "policy_number",
    "expenses",
    "confidentiality",
    "sickness",
    "accident",
    "start",
    "end",
    "semester",
    "birth_date",
    "guardian_name",
    "guardian_email",
)

# The amendment rule (documented in the README): a change to any of these needs the
# signatures of every party again; a change to only other fields (texts about contacts,
# expenses wording, the plan's semester label) needs the school's signature alone.
RESIGN_FIELDS = frozenset(
    {
        "start",
        "end",
        "weekdays",
        "hours_per_week",
        "total_hours",
        "pay_kind",
        "allowance",
        "insurer",
        "policy_number",
        "confidentiality",
        "representative",
        "plan_rows",
        "birth_date",
        "guardian_name",
        "guardian_email",
    }
)

DEFAULT_TEXTS = {
    "nl": {
        "sickness": (
            "Bij ziekte verwittigt de student 's morgens voor de aanvang telefonisch zowel de werkplek "
            "als de werkplekcoördinator en stuurt daarna een e-mail naar beide. Het originele "
            "ziektebriefje gaat naar de hogeschool; de werkplek ontvangt een kopie."
        ),
        "accident": (
            "De student is door de hogeschool verzekerd voor een arbeidsongeval op de werkplek en op "
            "weg van en naar de werkplek. Verwittig bij een arbeidsongeval meteen de werkplekcoördinator."
        ),
        "confidentiality": (
            "De student behandelt alle vertrouwelijke informatie van de werkplek en haar cliënten "
            "discreet, ook na afloop van het werkplekleren."
        ),
        "expenses": "Werkkledij en verplaatsingen tijdens de werkuren zijn ten laste van de werkplek.",
    },
    "fr": {
        "sickness": (
            "En cas de maladie, l'étudiant prévient le matin, avant l'heure de début, le lieu de travail "
            "et le coordinateur par téléphone, puis leur envoie un e-mail. Le certificat médical original "
            "va à la haute école ; le lieu de travail en reçoit une copie."
        ),
        "accident": (
            "L'étudiant est assuré par la haute école pour un accident du travail sur le lieu de travail "
            "et sur le chemin du travail. Prévenez immédiatement le coordinateur en cas d'accident."
        ),
        "confidentiality": (
            "L'étudiant traite avec discrétion toute information confidentielle du lieu de travail et de "
            "ses clients, y compris après la fin de la formation en milieu de travail."
        ),
        "expenses": (
            "Les vêtements de travail et les déplacements pendant le travail "
            "sont à charge du lieu de travail."
        ),
    },
    "en": {
        "sickness": (
            "When ill, the student phones both the workplace and the WPL coordinator in the morning before "
            "the start time, then e-mails both. The original medical certificate goes to the school; the "
            "workplace receives a copy."
        ),
        "accident": (
            "The school insures the student for work accidents at the workplace and on the way to and from "
            "it. Report a work accident to the WPL coordinator at once."
        ),
        "confidentiality": (
            "The student treats all confidential information of the workplace and its clients with "
            "discretion, also after the placement ends."
        ),
        "expenses": "Work clothes and travel during working hours are borne by the workplace.",
    },
}


def top_level_schema() -> dict[str, set[str]]:
    """{root name: allowed attribute names} plus list item schemas under 'root.list[]'."""
    schema: dict[str, set[str]] = {}
    for path in FIELDS:
        parts = path.split(".")
        if len(parts) == 1:
            schema.setdefault(parts[0].removesuffix("[]"), set())
        elif parts[-2].endswith("[]"):
            schema.setdefault(".".join(parts[:-1]), set()).add(parts[-1])
        else:
            schema.setdefault(parts[0], set()).add(parts[1].removesuffix("[]"))
    return schema
