"""The quality checklist for workplaces (001): templates, items, responses and answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workplaces.models import Organisation
from wpl.tenancy import TenantModel, TenantQuerySet, scoped_managers
from wpl.validators import academic_year_validator


class QualityStage(models.TextChoices):
    BEFORE = "before", _("Before you start")
    DURING = "during", _("During")
    AFTER = "after", _("Afterwards")


class QualityTopic(models.TextChoices):
    RESOURCES = "resources", _("Resources")
    PEOPLE = "people", _("People")
    GOALS = "goals", _("Goals")
    OFFER = "offer", _("Offer")
    GUIDANCE = "guidance", _("Guidance")
    ASSESSMENT = "assessment", _("Assessment")
    FOLLOW_UP = "follow_up", _("Follow-up")
    FEEDBACK = "feedback", _("Feedback")
    OTHER = "other", _("Other")


class QualityImportance(models.TextChoices):
    VERY_IMPORTANT_ALL = "very_all", _("Very important for everyone")
    VERY_IMPORTANT_SOME = "very_some", _("Very important for some")
    IMPORTANT = "important", _("Important")


class QualityParty(models.TextChoices):
    WORKPLACE = "workplace", _("Workplace")
    SCHOOL = "school", _("School")


class QualityAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    NOT_APPLICABLE = "na", _("Not applicable")


class TemplateQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from quality import permissions

        return permissions.visible_checklist_templates(self, membership)


class ChecklistTemplate(TenantModel):
    """A checklist an institution uses for self-evaluation; institutions copy and adapt them."""

    name = models.CharField(_("name"), max_length=200)
    year = models.CharField(
        _("academic year"),
        max_length=9,
        validators=[academic_year_validator],
        help_text=_("The first academic year this checklist is used, e.g. 2025-2026."),
    )
    description = models.TextField(_("description"), blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects, all_tenants = scoped_managers(TemplateQuerySet)

    class Meta:
        ordering = ["-year", "name", "id"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class ItemQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from quality import permissions

        return self.filter(
            template__in=permissions.visible_checklist_templates(ChecklistTemplate.objects.all(), membership)
        )


class ChecklistItem(TenantModel):
    """One point of attention of a checklist, in a stage and topic, with an importance level."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    stage = models.CharField(_("stage"), max_length=10, choices=QualityStage.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=QualityTopic.choices)
    question = models.CharField(_("guiding question"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    importance = models.CharField(_("importance"), max_length=10, choices=QualityImportance.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects, all_tenants = scoped_managers(ItemQuerySet)

    class Meta:
        ordering = ["template", "order", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.text[:80]


class ResponseQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from quality import permissions

        return permissions.visible_checklist_responses(self, membership)


class ChecklistResponse(TenantModel):
    """The self-evaluation of one party (workplace or school) for one organisation and year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="quality_responses")
    academic_year = models.CharField(_("academic year"), max_length=9, validators=[academic_year_validator])
    party = models.CharField(_("party"), max_length=10, choices=QualityParty.choices)
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="responses")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects, all_tenants = scoped_managers(ResponseQuerySet)

    class Meta:
        ordering = ["-academic_year", "organisation__name", "party"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "academic_year", "party"], name="checklist_response_unique_party"
            )
        ]
        verbose_name = _("checklist response")
        verbose_name_plural = _("checklist responses")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.academic_year} · {self.party}"


class AnswerQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        from quality import permissions

        return self.filter(
            response__in=permissions.visible_checklist_responses(ChecklistResponse.objects.all(), membership)
        )


class ChecklistAnswer(TenantModel):
    """The answer of one party to one checklist item, with an optional comment."""

    response = models.ForeignKey(ChecklistResponse, on_delete=models.CASCADE, related_name="answers")
    # Answered items cannot be removed from a template: copy the template to change it.
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers")
    answer = models.CharField(_("answer"), max_length=10, choices=QualityAnswer.choices)
    comment = models.TextField(_("comment"), blank=True)

    objects, all_tenants = scoped_managers(AnswerQuerySet)

    class Meta:
        ordering = ["response", "item__order"]
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="checklist_answer_unique_item")
        ]
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")

    def __str__(self) -> str:
        return f"{self.response}: {self.item_id} = {self.answer}"
