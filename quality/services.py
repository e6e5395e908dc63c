"""Writes for the quality checklist: adapt templates, record self-evaluations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from quality.models import (
    ChecklistAnswer,
    ChecklistItem,
    ChecklistResponse,
    ChecklistTemplate,
    QualityAnswer,
    QualityParty,
)
from workplaces.models import Organisation
from wpl import audit
from wpl.models import Membership

ITEM_FIELDS = ("stage", "topic", "question", "text", "importance", "order")


@transaction.atomic
def create_template(
    *, actor: Membership | None, name: str, year: str, description: str = ""
) -> ChecklistTemplate:
    """A new, empty checklist template for an academic year."""
    template = ChecklistTemplate(name=name, year=year, description=description)
    template.full_clean(exclude=["institution", "copied_from"])
    template.save()
    audit.record(actor=actor, action="quality.template.create", obj=template, summary=template.name)
    return template


@transaction.atomic
def copy_template(
    *, actor: Membership | None, template: ChecklistTemplate, name: str, year: str, description: str = ""
) -> ChecklistTemplate:
    """A new template with the same items, to adapt without touching earlier answers."""
    copy = ChecklistTemplate(name=name, year=year, description=description, copied_from=template)
    copy.full_clean(exclude=["institution", "copied_from"])
    copy.save()
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(
                template=copy, institution_id=copy.institution_id, **{f: getattr(i, f) for f in ITEM_FIELDS}
            )
            for i in ChecklistItem.objects.filter(template=template).order_by("order", "id")
        ]
    )
    audit.record(
        actor=actor, action="quality.template.copy", obj=copy, summary=copy.name, data={"from": template.pk}
    )
    return copy


@transaction.atomic
def save_item(
    *, actor: Membership | None, template: ChecklistTemplate, data: dict, item: ChecklistItem | None = None
) -> ChecklistItem:
    """Add an item to a template or change one; a new item without an order goes last."""
    if item is None:
        item = ChecklistItem(template=template)
        if not data.get("order"):
            last = ChecklistItem.objects.filter(template=template).aggregate(m=Max("order"))["m"] or 0
            data = {**data, "order": last + 10}
    elif item.template_id != template.pk:
        raise ValidationError(_("This item belongs to another checklist."))
    for f in ITEM_FIELDS:
        if f in data:
            setattr(item, f, data[f] if data[f] is not None else getattr(item, f))
    item.full_clean(exclude=["institution", "template"])
    item.save()
    audit.record(actor=actor, action="quality.item.save", obj=item, summary=item.question[:200])
    return item


@transaction.atomic
def delete_item(*, actor: Membership | None, item: ChecklistItem) -> None:
    """Remove an item nobody answered yet (answered items stay; copy the checklist instead)."""
    if ChecklistAnswer.objects.filter(item=item).exists():
        raise ValidationError(
            _("This item was already answered. Copy the checklist to make a version without it.")
        )
    audit.record(actor=actor, action="quality.item.delete", obj=item, summary=item.question[:200])
    item.delete()


@transaction.atomic
def save_response(
    *,
    organisation: Organisation,
    academic_year: str,
    party: str,
    template: ChecklistTemplate,
    answers: dict[int, tuple[str, str]],
    actor: Membership,
) -> ChecklistResponse:
    """Record one party's self-evaluation; items left blank (and without comment) are cleared.

    `answers` maps item id -> (answer, comment) for items of the response's template.
    """
    user = actor.user
    if party not in QualityParty.values:
        raise ValidationError(_("Unknown party."))
    response, _created = ChecklistResponse.objects.select_for_update().get_or_create(
        organisation=organisation,
        academic_year=academic_year,
        party=party,
        defaults={"template": template, "updated_by": user},
    )
    if not _created:
        response.full_clean(exclude=["institution", "template", "organisation", "updated_by"])
    item_ids = set(ChecklistItem.objects.filter(template=response.template).values_list("id", flat=True))
    unknown = set(answers) - item_ids
    if unknown:
        raise ValidationError(_("Some answers are for items of another checklist."))
    for answer, _comment in answers.values():
        if answer and answer not in QualityAnswer.values:
            raise ValidationError(_("Choose yes, partly, no or not applicable."))
    existing = {a.item_id: a for a in ChecklistAnswer.objects.filter(response=response)}
    to_create, to_update, to_delete = [], [], []
    for item_id, (answer, comment) in answers.items():
        row = existing.get(item_id)
        if not answer:
            if row is not None:
                to_delete.append(row.pk)
            continue
        if row is None:
            to_create.append(
                ChecklistAnswer(
                    response=response,
                    item_id=item_id,
                    answer=answer,
                    comment=comment,
                    institution_id=response.institution_id,
                )
            )
        elif (row.answer, row.comment) != (answer, comment):
            row.answer, row.comment = answer, comment
            to_update.append(row)
    ChecklistAnswer.objects.bulk_create(to_create)
    ChecklistAnswer.objects.bulk_update(to_update, ["answer", "comment"])
    ChecklistAnswer.objects.filter(pk__in=to_delete).delete()
    response.updated_by = user
    response.save(update_fields=["updated_by", "updated_at"])
    audit.record(
        actor=actor,
        action=f"quality.response.{party}.save",
        obj=response,
        summary=f"{organisation.name} {academic_year}",
    )
    return response
