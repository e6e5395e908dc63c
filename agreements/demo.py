"""Demo data: agreements for the demo placements in several states (final, sent, draft);
the one waiting for signatures is a minor's, whose legal representative signs by link."""

from __future__ import annotations

import datetime as dt

from agreements import services
from agreements.models import DEFAULT_PARTIES, Agreement, Kind, Party, SigningPolicy
from placements.models import Placement
from wpl.models import Membership, Role


def seed(institution) -> None:
    """Give the first demo placements an agreement each: one final, one sent, one draft."""
    coordinator = Membership.objects.filter(role=Role.COORDINATOR).select_related("user").first()
    if coordinator is None or Agreement.objects.exists():
        return
    placements = list(
        Placement.objects.select_related("student__user", "mentor__user", "supervisor__user")[:3]
    )
    if not placements:
        placements = _demo_placements(institution)
    minor = placements[1] if len(placements) > 1 else None
    if minor is not None and not SigningPolicy.objects.filter(programme=minor.programme).exists():
        # The agreement waiting for signatures is a minor's: their legal representative
        # signs too, through the e-mailed link (printed on the console in the demo).
        SigningPolicy.objects.create(
            programme=minor.programme, parties=list(DEFAULT_PARTIES), minor_representative=True
        )
    for index, placement in enumerate(placements):
        agreement = services.get_or_create_agreement(
            actor=coordinator, placement=placement, kind=Kind.AGREEMENT
        )
        version = agreement.current
        fields = {
            "hours_per_week": "16",
            "total_hours": "480",
            "insurer": "Ethias",
            "policy_number": "45.123.456",
            "birth_date": "2001-04-12",
        }
        if placement is minor:
            start = placement.start_date or dt.date.today()
            fields.update(
                birth_date=dt.date(start.year - 17, 11, 3).isoformat(),
                guardian_name=f"{placement.student.first_name} ouder".strip(),
                guardian_email=f"ouder.{placement.student.pk}@{institution.slug}.demo",
            )
        services.update_draft(actor=coordinator, version=version, fields=fields)
        if index == 2:
            continue  # stays a draft
        services.send_for_signature(actor=coordinator, version=version)
        if index == 1:
            continue  # waits for signatures
        version.refresh_from_db()
        for signature in version.signatures.all():
            signer = _membership_for(signature, coordinator)
            if signer is None:
                continue
            services.accept(
                actor=signer,
                version=version,
                document_sha256=version.pdf_sha256,
                consented=True,
                auth_method="demo seed",
            )
    if placements:
        services.get_or_create_agreement(actor=coordinator, placement=placements[0], kind=Kind.PLAN)


def _membership_for(signature, coordinator):
    if signature.party == Party.SCHOOL:
        return coordinator  # a coordinator may sign for the school (delegate)
    if signature.signer_id is not None:
        return Membership.objects.filter(user_id=signature.signer_id).first()
    if signature.party == Party.WORKPLACE:  # no mentor account: the workplace contact signs
        from placements.models import Placement

        for contact in Membership.objects.filter(role=Role.ORG_ADMIN).select_related("user"):
            placement = signature.version.agreement.placement
            if Placement.objects.visible_to(contact).filter(pk=placement.pk).exists():
                return contact
    return None


def _demo_placements(institution) -> list:
    """Placements for the demo persons when the placements seeders made none (last year,
    so they never clash with a matching round the demo publishes this year)."""
    from students.models import Student
    from workplaces.models import Mentor
    from wpl.academic_years import current_academic_year
    from wpl.models import User

    slug = institution.slug
    student_user = User.objects.filter(email=f"student@{slug}.demo").first()
    mentor_user = User.objects.filter(email=f"mentor@{slug}.demo").first()
    mentors = Mentor.objects.select_related("organisation").order_by("id")
    mentor = mentors.filter(user=mentor_user).first() if mentor_user else None
    if mentor is None:
        mentor = mentors.filter(user__isnull=True).first() or mentors.first()
        has_role = Membership.objects.filter(user=mentor_user, role=Role.MENTOR).exists()
        if mentor is not None and mentor.user_id is None and mentor_user is not None and has_role:
            # Demo only: let the demo mentor log in and accept the demo agreements.
            mentor.user = mentor_user
            mentor.save(update_fields=["user"])
    supervisor = Membership.objects.filter(role=Role.SUPERVISOR, user__email=f"supervisor@{slug}.demo")
    supervisor = supervisor.first()
    if mentor is None:
        return []
    first = int(current_academic_year()[:4]) - 1
    academic_year = f"{first}-{first + 1}"
    students = list(Student.objects.filter(user=student_user)[:1]) if student_user else []
    others = Student.objects.exclude(pk__in=[s.pk for s in students]).order_by("id")
    others = list(others[: 3 - len(students)])
    # The demo student gets the agreement waiting for signatures (index 1), not the sealed
    # one: a final agreement's acceptance log protects its placement from deletion.
    students = others[:1] + students + others[1:]
    made = []
    for student in students:
        placement, _ = Placement.objects.get_or_create(
            student=student,
            academic_year=academic_year,
            year=student.year,
            wpl_unit=None,
            defaults={
                "organisation": mentor.organisation,
                "site": mentor.organisation.sites.order_by("id").first(),
                "mentor": mentor,
                "supervisor": supervisor,
                "programme": student.programme,
                "start_date": dt.date(first, 9, 22),
                "end_date": dt.date(first + 1, 6, 26),
            },
        )
        made.append(placement)
    return made
