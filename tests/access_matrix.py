"""The access matrix: every named route, who may use it, and how to build its objects.

`test_isolation_sweep.py` enumerates every URL pattern and fails when a route is missing
here. Each feature adds its routes and object builders to this file.

Statuses are for personas of institution A requesting A's objects; for B's objects every
role that can use the route must get 404, and nothing seeded into B (its marker string)
may appear in any response to A.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.factories import in_tenant
from wpl.models import Role

ALL_ROLES = frozenset(r.value for r in Role)
STAFF = frozenset({Role.INSTITUTION_ADMIN, Role.COORDINATOR})
SCHOOL = STAFF | {Role.SUPERVISOR}
HOSTS = frozenset({Role.MENTOR, Role.ORG_ADMIN})  # see only their own organisation
ORG_ADMIN = frozenset({Role.ORG_ADMIN})
WP_EDITORS = STAFF | ORG_ADMIN


@dataclass(frozen=True)
class Route:
    name: str
    allowed: frozenset[str]  # roles that get `ok` on their own institution's object
    obj: str | None = None  # key in OBJECT_BUILDERS, for routes with an object id
    ok: int = 200
    denied: int = 403  # status for roles not in `allowed`
    anonymous: int = 302  # pages redirect to sign-in; the API answers 403
    api: bool = False
    # Some roles may use the route but see only their own objects: A's (foreign) object -> 404.
    own_only: frozenset[str] = frozenset()
    kwargs: Callable[[object], dict] | None = None  # url kwargs from the built object
    note: str = ""


@dataclass(frozen=True)
class Exempt:
    """Routes swept by other tests, with the reason."""

    prefix: str
    reason: str


def api(name: str, allowed, **kw) -> Route:
    return Route(name=name, allowed=frozenset(allowed), api=True, anonymous=403, **kw)


def page(name: str, allowed, **kw) -> Route:
    return Route(name=name, allowed=frozenset(allowed), **kw)


# --- object builders: (institution, marker) -> object ------------------------------------
def build_membership(institution, marker):
    from tests.factories import MembershipFactory, UserFactory

    return MembershipFactory(institution=institution, role=Role.STUDENT, user=UserFactory(last_name=marker))


def build_student_record(institution, marker):
    from tests.factories import StudentFactory

    return StudentFactory(institution=institution, last_name=marker)


def build_export_organisation(institution, marker):
    from tests.factories import SiteFactory

    return SiteFactory(institution=institution, organisation__name=marker).organisation


def build_import_upload(institution, marker):
    """A stored (not yet confirmed) student import of the institution, with the marker inside."""
    from types import SimpleNamespace

    from wpl import importers

    data = f"student_number;first_name;last_name;email;programme\nX1;{marker};{marker};x1@example.org;p\n"
    return SimpleNamespace(token=importers.store_upload(institution_id=institution.pk, data=data.encode()))


# Matching, students' and workplaces' side (test_preferences.py): the persona student is in an
# open round with an approved offer whose mentor and contact are the personas.
PREFERENCES_YEAR = "2026-2027"


def _preferences_world(institution, marker):
    from matching.models import MatchingRound
    from students.models import Student
    from tests.factories import (
        MatchingRoundFactory,
        MentorFactory,
        OrganisationFactory,
        PlacementOfferFactory,
        StudentFactory,
        WorkplaceApprovalFactory,
        WorkplaceVisitFactory,
    )
    from workplaces.models import PlacementOffer
    from wpl.models import User

    slug, ay = institution.slug, PREFERENCES_YEAR
    student_user = User.objects.filter(email=f"student@{slug}.test").first()
    student = Student.all_tenants.filter(institution=institution, user=student_user).first()
    if student is None:
        student = StudentFactory(institution=institution, user=student_user, last_name=f"Student {marker}")
    programme, year = student.programme, student.year
    matching_round = MatchingRound.all_tenants.filter(
        institution=institution, programme=programme, year=year, academic_year=ay
    ).first() or MatchingRoundFactory(
        institution=institution, programme=programme, year=year, academic_year=ay, name=f"Ronde {marker}"
    )
    name = f"Werkplek {marker}"
    offer = PlacementOffer.all_tenants.filter(institution=institution, organisation__name=name).first()
    if offer is None:
        contact = User.objects.filter(email=f"org_admin@{slug}.test").first()
        organisation = OrganisationFactory(
            institution=institution, name=name, contact_email=f"org_admin@{slug}.test", contact_user=contact
        )
        MentorFactory(
            institution=institution,
            organisation=organisation,
            user=User.objects.filter(email=f"mentor@{slug}.test").first(),
            last_name=f"Mentor {marker}",
        )
        WorkplaceApprovalFactory(
            institution=institution, organisation=organisation, programme=programme, academic_year=ay
        )
        offer = PlacementOfferFactory(
            institution=institution,
            organisation=organisation,
            programme=programme,
            year=year,
            academic_year=ay,
            tasks=f"Taken {marker}",
        )
        candidate = StudentFactory(
            institution=institution, programme=programme, year=year, last_name=f"Kandidaat {marker}"
        )
        WorkplaceVisitFactory(institution=institution, round=matching_round, student=candidate, offer=offer)
    return matching_round, offer


def build_preferences_round(institution, marker):
    return _preferences_world(institution, marker)[0]


def build_preferences_offer(institution, marker):
    return _preferences_world(institution, marker)[1]


def build_workplace_change(institution, marker):
    from tests.factories import OrganisationFactory, StudentFactory, WorkplaceChangeFactory

    return WorkplaceChangeFactory(
        institution=institution,
        student=StudentFactory(institution=institution, last_name=f"Wissel {marker}"),
        from_organisation=OrganisationFactory(institution=institution, name=f"Oude werkplek {marker}"),
    )


# Catalogue: programmes with their structure and academic calendars (test_programmes.py,
# test_calendar.py). Every object carries the marker in a field the pages show.
def build_cat_programme(institution, marker):
    from tests.factories import ProgrammeFactory

    return ProgrammeFactory(institution=institution, name=f"Programma {marker}", description=marker)


def _cat_child(factory_name, field="name"):
    def build(institution, marker):
        from tests import factories

        factory = getattr(factories, factory_name)
        return factory(institution=institution, **({field: f"{factory_name[:-7]} {marker}"} if field else {}))

    return build


def build_cat_calendar(institution, marker):
    from tests.factories import AcademicCalendarFactory

    calendar = AcademicCalendarFactory(institution=institution)
    calendar.notes = f"Kalender {marker}"
    calendar.save(update_fields=["notes"])
    return calendar


def build_cat_plan(institution, marker):
    from types import SimpleNamespace

    from tests.factories import ProgrammeYearFactory

    year = ProgrammeYearFactory(institution=institution, programme__name=f"Planning {marker}")
    return SimpleNamespace(calendar=build_cat_calendar(institution, marker), programme=year.programme, year=1)


def build_cat_classday(institution, marker):
    from tests.factories import ClassDayFactory

    return ClassDayFactory(
        institution=institution, calendar=build_cat_calendar(institution, marker), description=marker
    )


def build_cat_holiday(institution, marker):
    from tests.factories import SchoolHolidayFactory

    return SchoolHolidayFactory(
        institution=institution, calendar=build_cat_calendar(institution, marker), name=f"Vakantie {marker}"
    )


CATALOGUE_CHILDREN = {
    "programmeyear": _cat_child("ProgrammeYearFactory", field=None),
    "period": _cat_child("PeriodFactory"),
    "role": _cat_child("ProfessionalRoleFactory"),
    "learningline": _cat_child("LearningLineFactory"),
    "courseunit": _cat_child("CourseUnitFactory"),
    "competence": _cat_child("CompetenceFactory"),
    "wplunit": _cat_child("WplUnitFactory"),
}


# workplaces: organisations, sites, mentors, criteria, approvals (test_workplaces.py)
def build_wp_organisation(institution, marker):
    from tests.factories import (
        MentorFactory,
        OrganisationCapacityFactory,
        SiteFactory,
        WorkplaceApprovalFactory,
        WorkplaceCriterionFactory,
    )

    site = SiteFactory(
        institution=institution, organisation__name=f"Werkplek {marker}", municipality=f"Gemeente {marker}"
    )
    organisation = site.organisation
    MentorFactory(institution=institution, organisation=organisation, last_name=marker)
    capacity = OrganisationCapacityFactory(
        institution=institution, organisation=organisation, programme__name=f"Opleiding {marker}"
    )
    WorkplaceCriterionFactory(
        institution=institution, programme=capacity.programme, label=f"Criterium {marker}"
    )
    WorkplaceApprovalFactory(
        institution=institution,
        organisation=organisation,
        programme=capacity.programme,
        decision="rejected",
        reason=f"Reden {marker}",
    )
    return organisation


def build_wp_site(institution, marker):
    from workplaces.models import Site

    return Site.all_tenants.get(organisation=build_wp_organisation(institution, marker))


def build_wp_mentor(institution, marker):
    from workplaces.models import Mentor

    return Mentor.all_tenants.get(organisation=build_wp_organisation(institution, marker))


def build_wp_approval(institution, marker):
    from workplaces.models import WorkplaceApproval

    return WorkplaceApproval.all_tenants.get(organisation=build_wp_organisation(institution, marker))


def build_wp_criterion(institution, marker):
    from workplaces.models import WorkplaceCriterion

    organisation = build_wp_organisation(institution, marker)
    return WorkplaceCriterion.all_tenants.get(programme__capacities__organisation=organisation)


# Matching, coordinator's side (test_matching_board.py): a round with a student, an offer,
# a preference, an assignment, a proposal and a placement, all carrying the marker.
def build_matching_round(institution, marker):
    from matching.models import Assignment, MatchingProposal, StudentPreference
    from placements.models import Placement
    from tests.factories import (
        MatchingRoundFactory,
        OrganisationFactory,
        PlacementOfferFactory,
        ProgrammeFactory,
        StudentFactory,
        WorkplaceApprovalFactory,
    )

    programme = ProgrammeFactory(institution=institution, name=f"Matchprogramma {marker}")
    organisation = OrganisationFactory(institution=institution, name=f"Matchwerkplek {marker}")
    offer = PlacementOfferFactory(
        institution=institution, organisation=organisation, programme=programme, places=2
    )
    WorkplaceApprovalFactory(institution=institution, organisation=organisation, programme=programme)
    student = StudentFactory(institution=institution, programme=programme, last_name=f"Match {marker}")
    matching_round = MatchingRoundFactory(
        institution=institution, programme=programme, name=f"Matchronde {marker}"
    )
    common = {"institution": institution, "round": matching_round, "student": student, "offer": offer}
    StudentPreference.all_tenants.create(rank=1, **common)
    assignment = Assignment.all_tenants.create(**common)
    proposal = MatchingProposal.all_tenants.create(
        institution=institution,
        round=matching_round,
        mode="deferred_acceptance",
        seed=7,
        result={"assignment": {str(student.pk): offer.pk}, "reasons": {str(student.pk): "first_choice"}},
    )
    placement = Placement.all_tenants.create(
        institution=institution,
        student=student,
        organisation=organisation,
        offer=offer,
        programme=programme,
        academic_year=matching_round.academic_year,
        year=matching_round.year,
    )
    matching_round.matrix = {
        "student": student.pk,
        "proposal": proposal.pk,
        "placement": placement.pk,
        "assignment": assignment,
    }
    return matching_round


def build_matching_assignment(institution, marker):
    return build_matching_round(institution, marker).matrix["assignment"]


def _round_kwargs(key: str, name: str):
    return lambda obj: {"pk": obj.pk, name: obj.matrix[key]}


# --- offers, host self-service, invitations, quality checklist (test_offers.py, test_quality.py)
def build_offer(institution, marker):
    from tests.factories import OrganisationFactory, PlacementOfferFactory

    organisation = OrganisationFactory(institution=institution, name=f"Aanbieder {marker}")
    return PlacementOfferFactory(
        institution=institution, organisation=organisation, status="submitted", tasks=f"Taken {marker}"
    )


def build_host_organisation(institution, marker):
    from tests.factories import OrganisationFactory

    return OrganisationFactory(institution=institution, name=f"Gastorganisatie {marker}")


def build_invitation(institution, marker):
    from tests.factories import AccessInvitationFactory

    return AccessInvitationFactory(institution=institution, first_name=marker, token=f"sweep-{marker}")


def build_checklist_template(institution, marker):
    from tests.factories import ChecklistTemplateFactory

    return ChecklistTemplateFactory(institution=institution, name=f"Checklist {marker}")


def build_checklist_item(institution, marker):
    from tests.factories import ChecklistItemFactory

    return ChecklistItemFactory(institution=institution, text=f"Aandachtspunt {marker}")


# --- logbooks (test_logbook_*.py) ------------------------------------------------------------
def build_logbook_placement(institution, marker):
    """A running placement of nobody among the personas, with a marked entry, review and absence."""
    from logbooks.models import Absence, Review, SickNote
    from tests.factories import LogbookEntryFactory, make_logbook_placement

    placement = make_logbook_placement(institution)
    type(placement.student).all_tenants.filter(pk=placement.student_id).update(last_name=marker)
    entry = LogbookEntryFactory(
        institution=institution, placement=placement, date=placement.start_date, activities=f"Dag {marker}"
    )
    review = Review.all_tenants.create(institution=institution, entry=entry, action="comment", comment=marker)
    absence = Absence.all_tenants.create(
        institution=institution,
        placement=placement,
        start_date=placement.start_date,
        end_date=placement.start_date,
    )
    SickNote.all_tenants.create(
        institution=institution,
        absence=absence,
        filename="a.png",
        content_type="image/png",
        size=8,
        data=b"\x89PNG\r\n\x1a\n",
    )
    placement.matrix = {"entry": entry, "review": review, "absence": absence}
    return placement


def build_logbook_entry(institution, marker):
    return build_logbook_placement(institution, marker).matrix["entry"]


def build_logbook_review(institution, marker):
    return build_logbook_placement(institution, marker).matrix["review"]


def build_logbook_absence(institution, marker):
    return build_logbook_placement(institution, marker).matrix["absence"]


def build_insurance(institution, marker):
    from logbooks.models import InsuranceSetting

    return InsuranceSetting.all_tenants.create(
        institution=institution, insurer=f"Verzekeraar {marker}", policy_number="1"
    )


def review_entry_kwargs(entry) -> dict:
    """The institution's mentor persona's own role: not the entry's mentor (404 for everyone)."""
    from wpl.models import Membership

    mentor = Membership.all_tenants.get(
        institution_id=entry.institution_id, role=Role.MENTOR, user__email__startswith="mentor@"
    )
    return {"membership": mentor.pk, "pk": entry.pk}


def build_mentor_day(institution, marker):
    """A mentor start day with its matching session and a marked mentor (staff only)."""
    from meetings.models import Meeting, Participant
    from tests.factories import MeetingFactory

    day = MeetingFactory(institution=institution, kind="mentor_day", title=f"Startdag {marker}")
    Meeting.all_tenants.create(
        institution=institution,
        kind="matching_session",
        title=f"Matching {marker}",
        part_of=day,
        starts_at=day.starts_at,
        ends_at=day.ends_at,
    )
    Participant.all_tenants.create(
        institution=institution, meeting=day, name=f"Mentor {marker}", email="m@example.org", role="mentor"
    )
    return day


# meetings (test_meetings.py): a placement of nobody among the personas, with a meeting
# and an agreed action; staff see them, every other role gets 404.
def build_meeting(institution, marker):
    from meetings.models import Action, Participant
    from tests.factories import MeetingFactory, meetings_placement

    placement = meetings_placement(institution, marker=marker)
    meeting = MeetingFactory(institution=institution, placement=placement, title=f"Trialoog {marker}")
    Participant.all_tenants.create(
        institution=institution, meeting=meeting, name=f"Deelnemer {marker}", email="x@example.org", role="x"
    )
    Action.all_tenants.create(
        institution=institution, meeting=meeting, description=f"Actie {marker}", due_date="2027-03-01"
    )
    return meeting


def build_meeting_placement(institution, marker):
    return build_meeting(institution, marker).placement


def build_meeting_action(institution, marker):
    from meetings.models import Action

    return Action.all_tenants.get(meeting=build_meeting(institution, marker))


# Agreements (test_agreements.py): a draft agreement of a placement whose student, mentor,
# supervisor and workplace contact are the personas; the student's name carries the marker.
def build_agreement(institution, marker):
    from agreements import services
    from students.models import Student
    from tests import factories as f
    from wpl.models import Membership, User
    from wpl.tenancy import tenant_context

    slug = institution.slug
    student_user = User.objects.get(email=f"student@{slug}.test")
    with tenant_context(institution):
        # Reuse the persona's student record (other builders look it up with .first()).
        student = Student.objects.filter(user=student_user).first() or f.StudentFactory(
            institution=institution, user=student_user, last_name=f"Student {marker}"
        )
        organisation = f.OrganisationFactory(
            institution=institution,
            name=f"Overeenkomst {marker}",
            contact_email=f"org_admin@{slug}.test",
            contact_user=User.objects.get(email=f"org_admin@{slug}.test"),
        )
        placement = f.PlacementFactory(
            institution=institution,
            student=student,
            organisation=organisation,
            site=f.SiteFactory(institution=institution, organisation=organisation),
            mentor=f.MentorFactory(
                institution=institution,
                organisation=organisation,
                user=User.objects.get(email=f"mentor@{slug}.test"),
            ),
            supervisor=Membership.objects.get(user__email=f"supervisor@{slug}.test", role="supervisor"),
            academic_year="2024-2025",
        )
        coordinator = Membership.objects.get(user__email=f"coordinator@{slug}.test", role="coordinator")
        return services.get_or_create_agreement(actor=coordinator, placement=placement)


def build_agreement_template(institution, marker):
    from agreements.models import DocumentTemplate
    from wpl.tenancy import tenant_context

    with tenant_context(institution):
        return DocumentTemplate.objects.create(
            kind="agreement", language="nl", title=marker, body=f"<p>{marker}</p>"
        )


def build_agreement_batch(institution, marker):
    import io
    import zipfile

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from agreements.models import BatchExport
    from wpl.models import Membership
    from wpl.tenancy import tenant_context

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{marker}.pdf", b"%PDF-1.7")
    name = default_storage.save(f"agreements/{institution.pk}/sweep.zip", ContentFile(buffer.getvalue()))
    with tenant_context(institution):
        email = f"coordinator@{institution.slug}.test"
        coordinator = Membership.objects.get(user__email=email, role="coordinator")
        return BatchExport.objects.create(
            requested_by=coordinator,
            total=1,
            done=1,
            status="done",
            file_name=name,
            failures=[{"placement": 0, "name": marker, "reason": "x"}],
        )


# Evaluations (test_evaluations.py): an open evaluation of a placement of nobody among the
# personas (the student's name carries the marker); a rubric with a published v1 and a draft v2.
def build_evaluation(institution, marker):
    from tests.factories import PlacementFactory, StudentFactory, evaluation_for, published_rubric

    placement = PlacementFactory(
        institution=institution,
        student=StudentFactory(institution=institution, last_name=f"Evaluatie {marker}"),
    )
    version = published_rubric(placement.programme, name=f"Rubric {marker}")
    evaluation = evaluation_for(placement, version=version)
    from evaluations.models import Criterion

    evaluation.criterion_pk = Criterion.all_tenants.filter(version=version).first().pk
    return evaluation


def build_evaluation_placement(institution, marker):
    return build_evaluation(institution, marker).placement


def build_rubric(institution, marker):
    from evaluations.models import RubricVersion
    from tests.factories import ProgrammeFactory, published_rubric
    from wpl.tenancy import tenant_context

    version = published_rubric(ProgrammeFactory(institution=institution), name=f"Rubric {marker}")
    with tenant_context(institution):
        RubricVersion.all_tenants.create(
            institution=institution, rubric=version.rubric, number=2, title={"nl": marker}
        )
    return version.rubric


OBJECT_BUILDERS: dict[str, Callable] = {
    "logbook_placement": build_logbook_placement,
    "logbook_entry": build_logbook_entry,
    "logbook_review": build_logbook_review,
    "logbook_absence": build_logbook_absence,
    "meeting": build_meeting,
    "mentor_day": build_mentor_day,
    "insurance": build_insurance,
    "meeting_placement": build_meeting_placement,
    "meeting_action": build_meeting_action,
    "offer": build_offer,
    "host_organisation": build_host_organisation,
    "invitation": build_invitation,
    "checklist_template": build_checklist_template,
    "checklist_item": build_checklist_item,
    "wp_organisation": build_wp_organisation,
    "wp_site": build_wp_site,
    "wp_mentor": build_wp_mentor,
    "wp_approval": build_wp_approval,
    "wp_criterion": build_wp_criterion,
    "cat_programme": build_cat_programme,
    "cat_calendar": build_cat_calendar,
    "cat_plan": build_cat_plan,
    "cat_classday": build_cat_classday,
    "cat_holiday": build_cat_holiday,
    **{f"cat_{key}": build for key, build in CATALOGUE_CHILDREN.items()},
    "pref_round": build_preferences_round,
    "pref_offer": build_preferences_offer,
    "workplace_change": build_workplace_change,
    "student_record": build_student_record,
    "export_organisation": build_export_organisation,
    "import_upload": build_import_upload,
    "membership": build_membership,
    "matching_round": build_matching_round,
    "matching_assignment": build_matching_assignment,
    "agreement": build_agreement,
    "agreement_template": build_agreement_template,
    "agreement_batch": build_agreement_batch,
    "evaluation": build_evaluation,
    "evaluation_placement": build_evaluation_placement,
    "rubric": build_rubric,
}
# Builders write inside their institution's tenant context (writes are guarded).
OBJECT_BUILDERS = {kind: in_tenant(build) for kind, build in OBJECT_BUILDERS.items()}

# A batch export is visible only to the person who started it (the coordinator persona).
OWN_BATCH = frozenset({Role.INSTITUTION_ADMIN})

OWN_STUDENT = frozenset({Role.STUDENT})

ROUTES: list[Route] = [
    # logbooks (test_logbook_*.py): a placement's logbook follows who sees the placement
    page("logbook", ALL_ROLES, note="students: their logbook; others: the logbooks they may read"),
    page("logbook-placement", ALL_ROLES, obj="logbook_placement", own_only=ALL_ROLES - STAFF),
    page("logbook-progress", ALL_ROLES, obj="logbook_placement", own_only=ALL_ROLES - STAFF),
    page(
        "logbook-export",
        ALL_ROLES,
        obj="logbook_placement",
        own_only=ALL_ROLES - STAFF,
        kwargs=lambda obj: {"pk": obj.pk, "fmt": "csv"},
    ),
    page(
        "logbook-sync",
        {Role.STUDENT},
        obj="logbook_placement",
        own_only=frozenset({Role.STUDENT}),
        ok=405,
        note="POST only (JSON of the offline queue)",
    ),
    page("logbook-absence-new", {Role.STUDENT}, obj="logbook_placement", own_only=frozenset({Role.STUDENT})),
    page("logbook-incident-new", {Role.STUDENT}, obj="logbook_placement", own_only=frozenset({Role.STUDENT})),
    page("logbook-entry", ALL_ROLES, obj="logbook_entry", own_only=ALL_ROLES - STAFF),
    page("logbook-absence", ALL_ROLES, obj="logbook_absence", own_only=ALL_ROLES - STAFF),
    page("logbook-sick-note", STAFF, obj="logbook_absence", note="coordinators only; openings recorded"),
    page("logbook-review", {Role.MENTOR}),
    page(
        "logbook-review-entry",
        {Role.MENTOR},
        obj="logbook_entry",
        own_only=frozenset({Role.MENTOR}),
        denied=404,
        kwargs=review_entry_kwargs,
        note="only one's own mentor role; acts in that role's institution",
    ),
    page("logbook-insurance", STAFF),
    page("logbook-insurance-edit", STAFF, obj="insurance"),
    page("reminder-rules", STAFF, obj="cat_programme"),
    page("logbook-overview", SCHOOL),
    page("logbook-settings", STAFF, obj="cat_programme"),
    page("service-worker", ALL_ROLES, anonymous=200),
    page("web-manifest", ALL_ROLES, anonymous=200),
    api("api-logbook-entry-list", ALL_ROLES),
    api("api-logbook-entry-detail", ALL_ROLES, obj="logbook_entry", own_only=ALL_ROLES - STAFF),
    api("api-logbook-review-list", ALL_ROLES),
    api("api-logbook-review-detail", ALL_ROLES, obj="logbook_review", own_only=ALL_ROLES - STAFF),
    api("api-logbook-absence-list", ALL_ROLES),
    api("api-logbook-absence-detail", ALL_ROLES, obj="logbook_absence", own_only=ALL_ROLES - STAFF),
    # Writes (tests/test_logbook_api.py): create/update share the list and detail routes above.
    api("api-logbook-review-approve", ALL_ROLES, ok=405, note="POST only (the mentor)"),
    api("api-logbook-review-approve-week", ALL_ROLES, ok=405, note="POST only (the mentor)"),
    api(
        "api-logbook-absence-sick-note",
        frozenset(),
        obj="logbook_absence",
        denied=405,
        note="POST only (multipart; the student or staff)",
    ),
    # offers, host self-service and invitations (test_offers.py, test_invitations.py)
    page("offer-list", ALL_ROLES),
    page("offer-create", HOSTS, note="hosts without an organisation get an explanation page"),
    page("offer-detail", ALL_ROLES, obj="offer", own_only=HOSTS | {Role.STUDENT}),
    page("offer-decide", STAFF, obj="offer", note="GET shows the form; POST decides"),
    page("offer-withdraw", HOSTS, obj="offer", own_only=HOSTS, note="GET asks for confirmation"),
    page("host-organisation-list", HOSTS),
    page("host-organisation-edit", ORG_ADMIN, obj="host_organisation", own_only=ORG_ADMIN),
    page("invitation-list", STAFF),
    page("invitation-create", STAFF),
    page("invitation-revoke", STAFF, obj="invitation", note="GET asks for confirmation"),
    api("api-offer-list", ALL_ROLES),
    api("api-offer-detail", ALL_ROLES, obj="offer", own_only=HOSTS | {Role.STUDENT}),
    api("api-offer-decision", STAFF, obj="offer"),
    # quality checklist (test_quality.py)
    page("quality-overview", SCHOOL | HOSTS),
    page("quality-template-list", STAFF),
    page("quality-template-detail", STAFF, obj="checklist_template"),
    page("quality-template-copy", STAFF, obj="checklist_template"),
    page("quality-item-create", STAFF, obj="checklist_template"),
    page("quality-item-edit", STAFF, obj="checklist_item"),
    page("quality-item-delete", STAFF, obj="checklist_item", note="GET asks for confirmation"),
    page("quality-organisation", SCHOOL | HOSTS, obj="host_organisation", own_only=HOSTS),
    page(
        "quality-response",
        SCHOOL,
        obj="host_organisation",
        kwargs=lambda obj: {"pk": obj.pk, "academic_year": "2025-2026", "party": "school"},
        note="the school's own self-evaluation; hosts fill the workplace's (test_quality.py)",
    ),
    # workplaces (test_workplaces.py): hosts see only their own organisation
    page("organisation-list", ALL_ROLES),
    page("organisation-create", STAFF),
    page(
        "organisation-detail",
        ALL_ROLES,
        obj="wp_organisation",
        own_only=HOSTS | {Role.STUDENT},
        note="students see approved workplaces only (this one is rejected)",
    ),
    page("organisation-edit", WP_EDITORS, obj="wp_organisation", own_only=ORG_ADMIN),
    page("organisation-capacity", WP_EDITORS, obj="wp_organisation", own_only=ORG_ADMIN),
    page("site-create", WP_EDITORS, obj="wp_organisation", own_only=ORG_ADMIN),
    page("site-edit", WP_EDITORS, obj="wp_site", own_only=ORG_ADMIN),
    page("mentor-create", WP_EDITORS, obj="wp_organisation", own_only=ORG_ADMIN),
    page("mentor-edit", WP_EDITORS, obj="wp_mentor", own_only=ORG_ADMIN),
    page("workplace-decide", STAFF, obj="wp_organisation"),
    page("criterion-list", STAFF),
    page("criterion-create", STAFF),
    page("criterion-edit", STAFF, obj="wp_criterion"),
    api("api-organisation-list", SCHOOL),
    api("api-organisation-detail", SCHOOL, obj="wp_organisation"),
    api("api-mentor-list", SCHOOL),
    api("api-mentor-detail", SCHOOL, obj="wp_mentor"),
    api("api-workplace-approval-list", SCHOOL),
    api("api-workplace-approval-detail", SCHOOL, obj="wp_approval"),
    # catalogue: programmes and calendars (test_programmes.py, test_calendar.py)
    page("programme-list", SCHOOL),
    page("programme-create", STAFF),
    page("programme-detail", SCHOOL, obj="cat_programme"),
    page("programme-edit", STAFF, obj="cat_programme"),
    *[page(f"{key}-create", STAFF, obj="cat_programme") for key in CATALOGUE_CHILDREN],
    *[page(f"{key}-edit", STAFF, obj=f"cat_{key}") for key in CATALOGUE_CHILDREN],
    page("calendar-list", SCHOOL),
    page("calendar-create", STAFF),
    page("calendar-detail", SCHOOL, obj="cat_calendar"),
    page("calendar-edit", STAFF, obj="cat_calendar"),
    page(
        "calendar-plan",
        SCHOOL,
        obj="cat_plan",
        kwargs=lambda obj: {"pk": obj.calendar.pk, "programme_pk": obj.programme.pk, "year": obj.year},
    ),
    page("classday-create", STAFF, obj="cat_calendar"),
    page("classday-delete", STAFF, obj="cat_classday", note="GET asks for confirmation; POST deletes"),
    page("holiday-create", STAFF, obj="cat_calendar"),
    page("holiday-edit", STAFF, obj="cat_holiday"),
    page("holiday-delete", STAFF, obj="cat_holiday", note="GET asks for confirmation; POST deletes"),
    api("api-programme-list", ALL_ROLES),
    api("api-programme-detail", ALL_ROLES, obj="cat_programme"),
    api("api-wplunit-list", ALL_ROLES),
    api("api-wplunit-detail", ALL_ROLES, obj="cat_wplunit"),
    api("api-period-list", ALL_ROLES),
    api("api-period-detail", ALL_ROLES, obj="cat_period"),
    api("api-calendar-list", ALL_ROLES),
    api("api-calendar-detail", ALL_ROLES, obj="cat_calendar"),
    api("api-calendar-plan", ALL_ROLES, obj="cat_calendar"),
    # matching: students' and workplaces' side, changes of workplace (test_preferences.py)
    page("preferences-home", {Role.STUDENT}),
    page("preferences-round", {Role.STUDENT}, obj="pref_round"),
    page("preferences-offers", {Role.STUDENT}, obj="pref_round"),
    page("preferences-ranking", {Role.STUDENT}, obj="pref_round"),
    page("preferences-visits", {Role.STUDENT}, obj="pref_round"),
    page("preferences-own-employer", {Role.STUDENT}, obj="pref_round"),
    page("preferences-offer", {Role.STUDENT}, obj="pref_offer"),
    page("candidates-list", {Role.MENTOR, Role.ORG_ADMIN}),
    page("candidates-offer", {Role.MENTOR, Role.ORG_ADMIN}, obj="pref_offer"),
    page("workplace-changes", SCHOOL),
    page("workplace-change-new", STAFF),
    page("workplace-change-detail", STAFF, obj="workplace_change"),
    page(
        "workplace-change-agree",
        {Role.STUDENT, Role.MENTOR, Role.SUPERVISOR},
        obj="workplace_change",
        own_only=frozenset({Role.STUDENT, Role.MENTOR, Role.SUPERVISOR}),
        note="each party agrees to their own student's change only",
    ),
    # matching: the coordinator's side (test_matching_board.py, test_matching_publish.py)
    page("matching-rounds", STAFF),
    page("matching-round-create", STAFF),
    page("matching-board", STAFF, obj="matching_round"),
    page("matching-assign", STAFF, obj="matching_round", ok=405, note="POST only"),
    page("matching-unassign", STAFF, obj="matching_round", ok=405, note="POST only"),
    page("matching-lock", STAFF, obj="matching_round", ok=405, note="POST only"),
    page("matching-student", STAFF, obj="matching_round", kwargs=_round_kwargs("student", "student_pk")),
    page("matching-history", STAFF, obj="matching_round"),
    page("matching-propose", STAFF, obj="matching_round"),
    page("matching-proposal", STAFF, obj="matching_round", kwargs=_round_kwargs("proposal", "proposal_pk")),
    page(
        "matching-proposal-apply",
        STAFF,
        obj="matching_round",
        kwargs=_round_kwargs("proposal", "proposal_pk"),
        ok=405,
        note="POST only",
    ),
    page("matching-publish", STAFF, obj="matching_round", note="GET asks for confirmation; POST publishes"),
    page(
        "matching-follow-up",
        STAFF,
        obj="matching_round",
        note="GET shows the unplaced students; POST opens a follow-up round (published rounds)",
    ),
    page("matching-supervisors", STAFF, obj="matching_round"),
    page(
        "matching-supervisor-set",
        STAFF,
        obj="matching_round",
        kwargs=_round_kwargs("placement", "placement_pk"),
        ok=405,
        note="POST only",
    ),
    page("matching-export", STAFF, obj="matching_round"),
    page("my-placement", ALL_ROLES),
    api("api-matching-round-list", ALL_ROLES),
    api("api-matching-round-detail", ALL_ROLES, obj="matching_round", own_only=HOSTS | {Role.STUDENT}),
    api("api-matching-assignment-list", ALL_ROLES),
    api(
        "api-matching-assignment-detail",
        ALL_ROLES,
        obj="matching_assignment",
        own_only=HOSTS | {Role.STUDENT},
    ),
    api("api-matching-assignment-assign", ALL_ROLES, ok=405, note="POST only (staff)"),
    api("api-matching-assignment-unassign", ALL_ROLES, ok=405, note="POST only (staff)"),
    api("api-matching-assignment-lock", ALL_ROLES, ok=405, note="POST only (staff)"),
    # agreements and work-learning plans (test_agreements.py)
    page("agreement-list", ALL_ROLES),
    page("agreement-verify", ALL_ROLES),
    page("agreement-template-list", STAFF),
    page("agreement-template-edit", STAFF, ok=302, note="without ?kind=&language= it returns to the list"),
    page("agreement-template-preview", STAFF, obj="agreement_template"),
    page("agreement-seal", {Role.INSTITUTION_ADMIN}),
    page("agreement-batch-list", STAFF),
    page("agreement-batch-detail", STAFF, obj="agreement_batch", own_only=OWN_BATCH),
    page("agreement-batch-download", STAFF, obj="agreement_batch", own_only=OWN_BATCH),
    page(
        "agreement-open",
        STAFF,
        obj="agreement",
        ok=302,
        kwargs=lambda obj: {"pk": obj.placement_id, "kind": "agreement"},
        note="an existing agreement redirects to its page",
    ),
    page("agreement-detail", ALL_ROLES, obj="agreement"),
    page("agreement-edit", STAFF, obj="agreement"),
    page("agreement-send", STAFF, obj="agreement", note="GET asks for confirmation"),
    page("agreement-sign", ALL_ROLES, obj="agreement", note="says there is nothing to sign on a draft"),
    page("agreement-amend", STAFF, obj="agreement"),
    page("agreement-outside", STAFF, obj="agreement"),
    page("agreement-version-pdf", ALL_ROLES, obj="agreement", kwargs=lambda obj: {"pk": obj.pk, "number": 1}),
    page(
        "agreement-version-final",
        ALL_ROLES,
        obj="agreement",
        ok=404,
        kwargs=lambda obj: {"pk": obj.pk, "number": 1},
        note="a draft has no final file; the final PDF is tested in test_agreements.py",
    ),
    page("agreement-extra", ALL_ROLES, obj="agreement", kwargs=lambda obj: {"pk": obj.pk, "kind": "annex"}),
    page("home", ALL_ROLES),
    page("notification-list", ALL_ROLES),
    page("notification-settings", ALL_ROLES),
    # meetings (test_meetings.py)
    page("meetings-list", ALL_ROLES),
    page("meetings-coverage", STAFF),
    page("meetings-types", STAFF, obj="cat_programme"),
    page("meetings-mentor-days", STAFF),
    page("meetings-mentor-day", STAFF, obj="mentor_day"),
    page("meetings-calendar", ALL_ROLES),
    page("meetings-placement", ALL_ROLES, obj="meeting_placement", own_only=ALL_ROLES - STAFF),
    page("meetings-detail", ALL_ROLES, obj="meeting", own_only=ALL_ROLES - STAFF),
    page("meetings-ics", ALL_ROLES, obj="meeting", own_only=ALL_ROLES - STAFF),
    page("meetings-action-done", frozenset(), obj="meeting_action", denied=405, note="POST only"),
    page("people-list", SCHOOL),
    page("person-detail", ALL_ROLES, obj="membership", own_only=ALL_ROLES - SCHOOL),
    page("health", ALL_ROLES, anonymous=200),
    # getting everyone in (test_student_invitations.py, test_sso_oidc.py)
    page("student-invite", STAFF, note="GET shows how many students have not signed in"),
    page("sso-settings", frozenset({Role.INSTITUTION_ADMIN})),
    page("institution-settings", {Role.INSTITUTION_ADMIN}),
    page("institution-logo", ALL_ROLES, ok=404, note="404 without a logo; see test_branding.py"),
    page("javascript-catalog", ALL_ROLES, anonymous=200),
    api("api-root", ALL_ROLES),
    api("api-me", ALL_ROLES),
    api("api-schema", ALL_ROLES),
    page("api-docs", ALL_ROLES, anonymous=403),
    api("membership-list", ALL_ROLES),
    api("membership-detail", ALL_ROLES, obj="membership", own_only=ALL_ROLES - SCHOOL),
    # people: students, imports and exports
    page("student-list", SCHOOL | {Role.STUDENT}),
    page("student-detail", SCHOOL | {Role.STUDENT}, obj="student_record", own_only=frozenset({Role.STUDENT})),
    page("student-create", STAFF),
    page("student-edit", STAFF, obj="student_record"),
    # Exports have no object; the sweep seeds marked students and workplaces in both institutions.
    page("student-export", SCHOOL),
    page("organisation-export", SCHOOL),
    page("import-upload", STAFF, kwargs=lambda obj: {"kind": "students"}),
    page(
        "import-preview",
        STAFF,
        obj="import_upload",
        kwargs=lambda obj: {"kind": "students", "token": obj.token},
        note="an upload of another institution answers 404",
    ),
    api("api-student-list", SCHOOL),
    api("api-student-detail", SCHOOL, obj="student_record"),
    # evaluations (test_evaluations.py): the placement's people see their own; staff all
    page("evaluation-list", SCHOOL | {Role.MENTOR, Role.STUDENT}),
    page("evaluation-open", STAFF),
    page("evaluation-export", SCHOOL),
    page("evaluation-placement", SCHOOL, obj="evaluation_placement", own_only=frozenset({Role.SUPERVISOR})),
    page(
        "evaluation-detail",
        SCHOOL | {Role.MENTOR, Role.STUDENT},
        obj="evaluation",
        own_only=frozenset({Role.SUPERVISOR, Role.MENTOR, Role.STUDENT}),
    ),
    page(
        "evaluation-fill",
        {Role.MENTOR, Role.STUDENT},
        obj="evaluation",
        own_only=frozenset({Role.MENTOR, Role.STUDENT}),
    ),
    page(
        "evaluation-autosave",
        {Role.MENTOR, Role.STUDENT},
        obj="evaluation",
        own_only=frozenset({Role.MENTOR, Role.STUDENT}),
        ok=405,
        kwargs=lambda obj: {"pk": obj.pk, "criterion": obj.criterion_pk},
        note="POST only (one criterion, HTMX)",
    ),
    page("evaluation-meeting", SCHOOL, obj="evaluation", own_only=frozenset({Role.SUPERVISOR})),
    page("evaluation-score", SCHOOL, obj="evaluation", own_only=frozenset({Role.SUPERVISOR})),
    page("evaluation-reflection", {Role.STUDENT}, obj="evaluation", own_only=frozenset({Role.STUDENT})),
    page("evaluation-overview", SCHOOL | {Role.STUDENT}, obj="student_record", own_only=OWN_STUDENT),
    page("evaluation-overview-pdf", SCHOOL | {Role.STUDENT}, obj="student_record", own_only=OWN_STUDENT),
    page("evaluation-settings", STAFF, obj="cat_programme"),
    page("rubric-list", SCHOOL),
    page("rubric-create", STAFF),
    page("rubric-detail", SCHOOL, obj="rubric"),
    page("rubric-edit", STAFF, obj="rubric"),
    page("rubric-criterion", STAFF, obj="rubric", kwargs=lambda obj: {"pk": obj.pk, "number": 1}),
    page("rubric-preview", SCHOOL, obj="rubric"),
    page("rubric-export", SCHOOL, obj="rubric"),
    api("api-evaluation-list", ALL_ROLES),
    api("api-evaluation-detail", ALL_ROLES, obj="evaluation", own_only=ALL_ROLES - STAFF),
]

# Routes whose access is tested elsewhere, with the reason.
EXEMPT: list[Exempt] = [
    Exempt("meetings-respond", "answer by signed, expiring link without signing in; test_meetings.py"),
    Exempt("calendar-feed", "secret per-person feed address; tenant scoping tested in test_meetings.py"),
    Exempt("invite-", "anonymous invitation link (token); tested in test_invitations.py"),
    Exempt(
        "agreement-sign-link",
        "a minor's legal representative signs by signed, expiring link; test_agreement_minor.py",
    ),
    Exempt("admin:", "Django admin: superusers only; scoped by TenantAdmin, see test_admin.py"),
    Exempt("account_", "sign-in, sign-out and password pages of allauth; see test_auth.py"),
    Exempt("openid_connect_", "single sign-on redirect and callback of allauth; see test_sso_oidc.py"),
    Exempt("socialaccount_", "allauth's pages for linked school accounts; see test_sso_oidc.py"),
    Exempt("mfa_", "MFA pages of allauth for the signed-in person; see test_auth.py"),
    Exempt("set_language", "POST-only language switch; see test_i18n.py"),
    Exempt("switch-membership", "POST-only role switch; see test_switcher.py"),
    Exempt("api-token", "POST-only: e-mail + password (+ TOTP) for an API token; see test_api_core.py"),
]

ROUTE_INDEX = {r.name: r for r in ROUTES}
