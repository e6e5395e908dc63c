"""factory_boy factories. Tenant-owned factories create each row inside its own
institution's tenant context (`TenantFactory._create`), so tests can build data for any
institution without activating it first, and the write guards of wpl.tenancy still check
that every foreign key stays inside that institution."""

import contextlib
import datetime
import functools

import factory
from factory.django import DjangoModelFactory

from wpl.models import Institution, Membership, Role, User
from wpl.tenancy import tenant_context


class TenantFactory(DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.all_tenants

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        institution = kwargs.get("institution") or kwargs.get("institution_id")
        # Without `institution=` the row takes the active one (or is refused without one).
        scope = tenant_context(institution) if institution is not None else contextlib.nullcontext()
        with scope:
            return super()._create(model_class, *args, **kwargs)


def in_tenant(func):
    """Decorator for a test helper `func(institution, ...)` that builds rows by hand: it runs
    inside that institution's tenant context (writes outside one are refused)."""

    @functools.wraps(func)
    def wrapper(institution, *args, **kwargs):
        with tenant_context(institution):
            return func(institution, *args, **kwargs)

    return wrapper


def create_in_tenant(model_class, institution, **fields):
    """`model_class.objects.create(**fields)` inside `institution`'s tenant context: for
    rows a test builds by hand (no factory), e.g. in object builders and fixtures."""
    with tenant_context(institution):
        return model_class.objects.create(**fields)


class InstitutionFactory(DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Institution {n}")
    slug = factory.Sequence(lambda n: f"inst{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="nl_BE")
    last_name = factory.Faker("last_name", locale="nl_BE")
    password = factory.PostGenerationMethodCall("set_password", "pw-123456")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(TenantFactory):
    class Meta:
        model = Membership

    institution = factory.SubFactory(InstitutionFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.STUDENT


# --- placements: programmes, workplaces, offers, rounds -------------------------------------
# Each tenant-owned factory takes `institution=` and passes it down to its sub-factories.


def _same_institution():
    return factory.SelfAttribute("..institution")


class ProgrammeFactory(TenantFactory):
    class Meta:
        model = "catalogue.Programme"

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Graduaat {n}")
    code = factory.Sequence(lambda n: f"prog-{n}")
    form = "graduate"
    years = 2


class ProfessionalRoleFactory(TenantFactory):
    class Meta:
        model = "catalogue.ProfessionalRole"

    institution = factory.SubFactory(InstitutionFactory)
    programme = factory.SubFactory(ProgrammeFactory, institution=_same_institution())
    name = factory.Sequence(lambda n: f"Beroepsrol {n}")


class StudentFactory(TenantFactory):
    class Meta:
        model = "students.Student"

    institution = factory.SubFactory(InstitutionFactory)
    programme = factory.SubFactory(ProgrammeFactory, institution=_same_institution())
    student_number = factory.Sequence(lambda n: f"r{n:07d}")
    first_name = factory.Faker("first_name", locale="nl_BE")
    last_name = factory.Faker("last_name", locale="nl_BE")
    email = factory.Sequence(lambda n: f"student{n}@students.example.org")
    year = 1


class OrganisationFactory(TenantFactory):
    class Meta:
        model = "workplaces.Organisation"

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Organisatie {n}")
    languages = "nl"


class SiteFactory(TenantFactory):
    class Meta:
        model = "workplaces.Site"

    institution = factory.SubFactory(InstitutionFactory)
    organisation = factory.SubFactory(OrganisationFactory, institution=_same_institution())
    name = "Hoofdzetel"
    municipality = "Brussel"
    region = "brussels"


class MentorFactory(TenantFactory):
    class Meta:
        model = "workplaces.Mentor"

    institution = factory.SubFactory(InstitutionFactory)
    organisation = factory.SubFactory(OrganisationFactory, institution=_same_institution())
    first_name = factory.Faker("first_name", locale="nl_BE")
    last_name = factory.Faker("last_name", locale="nl_BE")
    email = factory.Sequence(lambda n: f"mentor{n}@example.org")


class WorkplaceApprovalFactory(TenantFactory):
    class Meta:
        model = "workplaces.WorkplaceApproval"

    institution = factory.SubFactory(InstitutionFactory)
    organisation = factory.SubFactory(OrganisationFactory, institution=_same_institution())
    programme = factory.SubFactory(ProgrammeFactory, institution=_same_institution())
    academic_year = "2026-2027"
    decision = "approved"


class PlacementOfferFactory(TenantFactory):
    class Meta:
        model = "workplaces.PlacementOffer"

    institution = factory.SubFactory(InstitutionFactory)
    organisation = factory.SubFactory(OrganisationFactory, institution=_same_institution())
    site = factory.SubFactory(
        SiteFactory, institution=_same_institution(), organisation=factory.SelfAttribute("..organisation")
    )
    programme = factory.SubFactory(ProgrammeFactory, institution=_same_institution())
    academic_year = "2026-2027"
    year = 1
    places = 1
    weekdays = "3,4,5"
    status = "accepted"


class MatchingRoundFactory(TenantFactory):
    class Meta:
        model = "matching.MatchingRound"

    institution = factory.SubFactory(InstitutionFactory)
    programme = factory.SubFactory(ProgrammeFactory, institution=_same_institution())
    academic_year = "2026-2027"
    year = 1
    name = factory.Sequence(lambda n: f"Matching round {n}")
    status = "open"
    max_choices = 3


class PlacementFactory(TenantFactory):
    class Meta:
        model = "placements.Placement"

    institution = factory.SubFactory(InstitutionFactory)
    student = factory.SubFactory(StudentFactory, institution=_same_institution())
    organisation = factory.SubFactory(OrganisationFactory, institution=_same_institution())
    programme = factory.SelfAttribute("student.programme")
    academic_year = "2025-2026"
    year = 1


class StudentPreferenceFactory(TenantFactory):
    class Meta:
        model = "matching.StudentPreference"

    institution = factory.SubFactory(InstitutionFactory)
    round = factory.SubFactory(MatchingRoundFactory, institution=_same_institution())
    student = factory.SubFactory(
        StudentFactory, institution=_same_institution(), programme=factory.SelfAttribute("..round.programme")
    )
    offer = factory.SubFactory(
        PlacementOfferFactory,
        institution=_same_institution(),
        programme=factory.SelfAttribute("..round.programme"),
    )
    rank = 1


class WorkplaceVisitFactory(TenantFactory):
    class Meta:
        model = "matching.WorkplaceVisit"

    institution = factory.SubFactory(InstitutionFactory)
    round = factory.SubFactory(MatchingRoundFactory, institution=_same_institution())
    student = factory.SubFactory(
        StudentFactory, institution=_same_institution(), programme=factory.SelfAttribute("..round.programme")
    )
    offer = factory.SubFactory(
        PlacementOfferFactory,
        institution=_same_institution(),
        programme=factory.SelfAttribute("..round.programme"),
    )
    kind = "visit"
    date = factory.Faker("date_this_year")


class WorkplaceChangeFactory(TenantFactory):
    class Meta:
        model = "matching.WorkplaceChange"

    institution = factory.SubFactory(InstitutionFactory)
    student = factory.SubFactory(StudentFactory, institution=_same_institution())
    academic_year = "2026-2027"
    from_organisation = factory.SubFactory(OrganisationFactory, institution=_same_institution())
    reason = "Andere werkplek gewenst"


class OrganisationCapacityFactory(TenantFactory):
    class Meta:
        model = "workplaces.OrganisationCapacity"

    institution = factory.SubFactory(InstitutionFactory)
    organisation = factory.SubFactory(OrganisationFactory, institution=_same_institution())
    programme = factory.SubFactory(ProgrammeFactory, institution=_same_institution())
    year = 1
    places = 2


class WorkplaceCriterionFactory(TenantFactory):
    class Meta:
        model = "workplaces.WorkplaceCriterion"

    institution = factory.SubFactory(InstitutionFactory)
    programme = factory.SubFactory(ProgrammeFactory, institution=_same_institution())
    order = factory.Sequence(lambda n: n)
    label = factory.Sequence(lambda n: f"Criterium {n}")
    kind = "learning_by_doing"
    params = factory.LazyFunction(dict)


# --- catalogue: programme structure and calendars (test_programmes.py, test_calendar.py) ----
class ProgrammeYearFactory(TenantFactory):
    class Meta:
        model = "catalogue.ProgrammeYear"

    institution = factory.SubFactory(InstitutionFactory)
    programme = factory.SubFactory(ProgrammeFactory, institution=_same_institution())
    year = 1
    wpl_weekdays = "3,4,5"
    hours_per_day = "7.60"


class PeriodFactory(TenantFactory):
    class Meta:
        model = "catalogue.Period"

    institution = factory.SubFactory(InstitutionFactory)
    programme = factory.SubFactory(ProgrammeFactory, institution=_same_institution())
    kind = "quarter"
    ordinal = factory.Sequence(lambda n: n % 20 + 1)
    name = factory.LazyAttribute(lambda o: f"Kwartaal {o.ordinal}")
    phase = 1


class WplUnitFactory(TenantFactory):
    class Meta:
        model = "catalogue.WplUnit"

    institution = factory.SubFactory(InstitutionFactory)
    programme = factory.SubFactory(ProgrammeFactory, institution=_same_institution())
    name = factory.Sequence(lambda n: f"Werkplekleren {n}")
    phase = 1
    required_days = 12


class LearningObjectiveFactory(TenantFactory):
    class Meta:
        model = "catalogue.LearningObjective"

    institution = factory.SubFactory(InstitutionFactory)
    unit = factory.SubFactory(WplUnitFactory, institution=_same_institution())
    order = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Leerdoel {n}")


class LearningLineFactory(TenantFactory):
    class Meta:
        model = "catalogue.LearningLine"

    institution = factory.SubFactory(InstitutionFactory)
    programme = factory.SubFactory(ProgrammeFactory, institution=_same_institution())
    name = factory.Sequence(lambda n: f"Leerlijn {n}")


class CourseUnitFactory(TenantFactory):
    class Meta:
        model = "catalogue.CourseUnit"

    institution = factory.SubFactory(InstitutionFactory)
    programme = factory.SubFactory(ProgrammeFactory, institution=_same_institution())
    name = factory.Sequence(lambda n: f"Opleidingsonderdeel {n}")
    year = 1
    credits = 5


class CompetenceFactory(TenantFactory):
    class Meta:
        model = "catalogue.Competence"

    institution = factory.SubFactory(InstitutionFactory)
    programme = factory.SubFactory(ProgrammeFactory, institution=_same_institution())
    name = factory.Sequence(lambda n: f"Competentie {n}")


class AcademicCalendarFactory(TenantFactory):
    class Meta:
        model = "catalogue.AcademicCalendar"
        django_get_or_create = ["institution", "academic_year"]

    institution = factory.SubFactory(InstitutionFactory)
    academic_year = "2026-2027"
    wpl_start = factory.LazyFunction(lambda: datetime.date(2026, 11, 9))
    wpl_end = factory.LazyFunction(lambda: datetime.date(2027, 6, 30))


class ClassDayFactory(TenantFactory):
    class Meta:
        model = "catalogue.ClassDay"

    institution = factory.SubFactory(InstitutionFactory)
    calendar = factory.SubFactory(AcademicCalendarFactory, institution=_same_institution())
    date = factory.LazyFunction(lambda: datetime.date(2026, 12, 2))


class SchoolHolidayFactory(TenantFactory):
    class Meta:
        model = "catalogue.SchoolHoliday"

    institution = factory.SubFactory(InstitutionFactory)
    calendar = factory.SubFactory(AcademicCalendarFactory, institution=_same_institution())
    name = "Kerstvakantie"
    start = factory.LazyFunction(lambda: datetime.date(2026, 12, 21))
    end = factory.LazyFunction(lambda: datetime.date(2027, 1, 3))


# --- offers, invitations and the quality checklist (test_offers.py, test_quality.py) ----------
def _token_hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


class OfferDecisionFactory(TenantFactory):
    class Meta:
        model = "workplaces.OfferDecision"

    institution = factory.SubFactory(InstitutionFactory)
    offer = factory.SubFactory(PlacementOfferFactory, institution=_same_institution())
    decision = "accepted"


class AccessInvitationFactory(TenantFactory):
    """Pass `token=` to choose the token (default "tok-<n>"); only its hash is stored."""

    class Meta:
        model = "workplaces.AccessInvitation"
        exclude = ["token"]

    institution = factory.SubFactory(InstitutionFactory)
    organisation = factory.SubFactory(OrganisationFactory, institution=_same_institution())
    email = factory.Sequence(lambda n: f"invitee{n}@host.example.org")
    role = "org_admin"
    purpose = "offer"
    token = factory.Sequence(lambda n: f"tok-{n}")
    token_hash = factory.LazyAttribute(lambda o: _token_hash(o.token))
    expires_at = factory.LazyFunction(
        lambda: datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=14)
    )


class ChecklistTemplateFactory(TenantFactory):
    class Meta:
        model = "quality.ChecklistTemplate"

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Checklist {n}")
    year = "2025-2026"


class ChecklistItemFactory(TenantFactory):
    class Meta:
        model = "quality.ChecklistItem"

    institution = factory.SubFactory(InstitutionFactory)
    template = factory.SubFactory(ChecklistTemplateFactory, institution=_same_institution())
    stage = "before"
    topic = "resources"
    text = factory.Sequence(lambda n: f"Aandachtspunt {n}")
    importance = "very_all"
    order = factory.Sequence(lambda n: n * 10)


class ChecklistResponseFactory(TenantFactory):
    class Meta:
        model = "quality.ChecklistResponse"

    institution = factory.SubFactory(InstitutionFactory)
    organisation = factory.SubFactory(OrganisationFactory, institution=_same_institution())
    template = factory.SubFactory(ChecklistTemplateFactory, institution=_same_institution())
    academic_year = "2025-2026"
    party = "workplace"


class ChecklistAnswerFactory(TenantFactory):
    class Meta:
        model = "quality.ChecklistAnswer"

    institution = factory.SubFactory(InstitutionFactory)
    response = factory.SubFactory(ChecklistResponseFactory, institution=_same_institution())
    item = factory.SubFactory(
        ChecklistItemFactory,
        institution=_same_institution(),
        template=factory.SelfAttribute("..response.template"),
    )
    answer = "yes"


# --- logbooks (test_logbook*.py) -------------------------------------------------------------
def academic_year_of(day: datetime.date) -> str:
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}-{first + 1}"


@in_tenant
def make_logbook_placement(
    institution,
    *,
    student_user=None,
    mentor_user=None,
    supervisor=None,
    weekdays: str = "1,2,3,4,5",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    required_hours: int | None = 500,
    programme=None,
    organisation=None,
):
    """A running placement with a calendar around today: for logbook tests and benchmarks."""
    from django.utils import timezone

    today = timezone.localdate()
    start = start or today - datetime.timedelta(days=60)
    end = end or today + datetime.timedelta(days=120)
    year = academic_year_of(today)
    programme = programme or ProgrammeFactory(institution=institution)
    AcademicCalendarFactory(institution=institution, academic_year=year, wpl_start=start, wpl_end=end)
    from catalogue.models import ProgrammeYear

    if not ProgrammeYear.all_tenants.filter(programme=programme, year=1).exists():
        ProgrammeYearFactory(
            institution=institution,
            programme=programme,
            year=1,
            wpl_weekdays=weekdays,
            hours_per_day="7.60",
            required_hours=required_hours,
        )
    organisation = organisation or OrganisationFactory(institution=institution)
    site = SiteFactory(institution=institution, organisation=organisation)
    mentor = MentorFactory(institution=institution, organisation=organisation, user=mentor_user)
    student = StudentFactory(institution=institution, programme=programme, user=student_user)
    return PlacementFactory(
        institution=institution,
        student=student,
        organisation=organisation,
        site=site,
        mentor=mentor,
        supervisor=supervisor,
        programme=programme,
        academic_year=year,
        year=1,
        start_date=start,
        end_date=end,
    )


def _now():
    from django.utils import timezone

    return timezone.now()


class LogbookEntryFactory(TenantFactory):
    class Meta:
        model = "logbooks.Entry"

    institution = factory.SubFactory(InstitutionFactory)
    placement = factory.SubFactory(PlacementFactory, institution=_same_institution())
    date = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    hours = "7.60"
    activities = factory.Sequence(lambda n: f"Activiteiten van dag {n}")
    status = "submitted"
    submitted_at = factory.LazyFunction(_now)


class AbsenceFactory(TenantFactory):
    class Meta:
        model = "logbooks.Absence"

    institution = factory.SubFactory(InstitutionFactory)
    placement = factory.SubFactory(PlacementFactory, institution=_same_institution())
    kind = "sick"
    start_date = factory.LazyFunction(lambda: datetime.date(2026, 1, 5))
    end_date = factory.LazyFunction(lambda: datetime.date(2026, 1, 6))


# --- meetings (test_meetings.py) --------------------------------------------------------------
@in_tenant
def meetings_placement(institution, *, student_user=None, mentor_user=None, supervisor=None, marker="", **kw):
    """A placement of 2026-2027 with a calendar, WPL days Wed-Fri, a mentor reachable Wed-Thu."""
    from catalogue.models import ProgrammeYear

    name = f"Student {marker}".strip()
    student = StudentFactory(institution=institution, user=student_user, last_name=name)
    ProgrammeYear.all_tenants.get_or_create(
        institution=institution, programme=student.programme, year=1, defaults={"wpl_weekdays": "3,4,5"}
    )
    AcademicCalendarFactory(institution=institution, academic_year="2026-2027")
    organisation = OrganisationFactory(institution=institution, name=f"Werkplek {marker}".strip())
    mentor = MentorFactory(
        institution=institution, organisation=organisation, user=mentor_user, reachable_weekdays="3,4"
    )
    return PlacementFactory(
        institution=institution,
        student=student,
        organisation=organisation,
        mentor=mentor,
        supervisor=supervisor,
        academic_year="2026-2027",
        **kw,
    )


class MeetingFactory(TenantFactory):
    class Meta:
        model = "meetings.Meeting"

    institution = factory.SubFactory(InstitutionFactory)
    kind = "trialogue"
    title = "Trialoog"
    starts_at = factory.LazyFunction(lambda: datetime.datetime(2027, 2, 3, 9, tzinfo=datetime.UTC))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=1))


# --- agreements ------------------------------------------------------------------------
@in_tenant
def placement_for_agreement(institution, *, marker: str = "", with_people: bool = True):
    """A placement with a student, mentor and supervisor who each have an account."""
    from wpl.models import Role

    student_user = UserFactory(first_name="Zoë", last_name=f"Vandenbroucke{marker}")
    mentor_user = UserFactory(first_name="Jürgen", last_name=f"Peeters{marker}")
    supervisor_user = UserFactory(first_name="Renée", last_name=f"Claes{marker}")
    student = StudentFactory(
        institution=institution, user=student_user, first_name="Zoë", last_name=f"Vandenbroucke{marker}"
    )
    organisation = OrganisationFactory(institution=institution, name=f"Café Déjà Vu {marker}".strip())
    site = SiteFactory(institution=institution, organisation=organisation)
    mentor = MentorFactory(
        institution=institution,
        organisation=organisation,
        user=mentor_user,
        first_name="Jürgen",
        last_name=f"Peeters{marker}",
    )
    supervisor = MembershipFactory(institution=institution, user=supervisor_user, role=Role.SUPERVISOR)
    if with_people:
        MembershipFactory(institution=institution, user=student_user, role=Role.STUDENT)
        MembershipFactory(institution=institution, user=mentor_user, role=Role.MENTOR)
    import datetime as dt

    return PlacementFactory(
        institution=institution,
        student=student,
        organisation=organisation,
        site=site,
        mentor=mentor,
        supervisor=supervisor,
        start_date=dt.date(2026, 9, 21),
        end_date=dt.date(2027, 6, 25),
    )


# --- evaluations ---------------------------------------------------------------------------
def published_rubric(
    programme, *, criteria: int = 3, levels=(0, 1, 2, 3), weights=None, wpl_unit=None, name="Rubric"
):
    """A rubric of `programme` with one published version (written in its institution)."""
    inst = programme.institution
    with tenant_context(inst):
        return _published_rubric(programme, criteria, levels, weights, wpl_unit, name)


def _published_rubric(programme, criteria, levels, weights, wpl_unit, name):
    from evaluations.models import Criterion, PerformanceLevel, Rubric, RubricVersion

    inst = programme.institution
    rubric = Rubric.all_tenants.create(institution=inst, programme=programme, wpl_unit=wpl_unit, name=name)
    version = RubricVersion.all_tenants.create(
        institution=inst,
        rubric=rubric,
        number=1,
        status="published",
        title={"nl": name, "en": f"{name} EN"},
        published_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC),
    )
    for i, points in enumerate(levels):
        PerformanceLevel.all_tenants.create(
            institution=inst,
            version=version,
            order=i,
            label={"nl": f"Niveau {i}", "fr": f"Niveau FR {i}"},
            points=points,
        )
    for i in range(criteria):
        Criterion.all_tenants.create(
            institution=inst,
            version=version,
            order=i,
            title={"nl": f"Criterium {i + 1}", "en": f"Criterion {i + 1}"},
            weight=(weights[i] if weights else 1),
            descriptors=[{"nl": f"Beschrijving {i}-{j}"} for j in range(len(levels))],
        )
    return version


def evaluation_for(placement, *, version=None, moment: str = "final", **kw):
    """An open evaluation of `placement` (with a published rubric of its programme when none is given)."""
    from evaluations.models import Evaluation, EvaluationSettings

    version = version or published_rubric(placement.programme)
    with tenant_context(placement.institution):
        found = EvaluationSettings.for_programme(placement.programme).moment(moment)
        kw.setdefault("scored", bool(found is None or found.get("scored", True)))
        return Evaluation.all_tenants.create(
            institution=placement.institution, placement=placement, moment=moment, version=version, **kw
        )
