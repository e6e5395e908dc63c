"""The workplace contact's account on the organisation: access follows this link instead of a
match between the person's e-mail address and the editable `contact_email`.

The data step links each organisation to the account the old rule let in (same address,
an active workplace contact or mentor role in the organisation's institution), so nobody
loses or gains access by migrating. Reversing drops the column; the old rule needs nothing.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

HOST_ROLES = ("org_admin", "mentor")


def link_contacts(apps, schema_editor):
    from wpl.tenancy import unscoped_writes

    # Every institution's organisations at once (the tenancy write guards apply when this
    # runs on the current models, as in its test; historical models have no guards).
    with unscoped_writes():
        _link_contacts(apps)


def _link_contacts(apps):
    Organisation = apps.get_model("workplaces", "Organisation")
    Membership = apps.get_model("wpl", "Membership")
    organisations = Organisation._base_manager.exclude(contact_email="").filter(contact_user__isnull=True)
    for organisation in organisations.iterator():
        members = Membership._base_manager.filter(
            institution_id=organisation.institution_id,
            user__email__iexact=organisation.contact_email,
            role__in=HOST_ROLES,
            is_active=True,
        )
        # A workplace contact's role first: that is who the address named.
        member = members.filter(role="org_admin").first() or members.first()
        if member is not None:
            Organisation._base_manager.filter(pk=organisation.pk).update(contact_user_id=member.user_id)


class Migration(migrations.Migration):

    dependencies = [
        ("workplaces", "0001_initial"),
        ("wpl", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="contact_user",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="contact_for_organisations",
                to=settings.AUTH_USER_MODEL,
                verbose_name="workplace contact's account",
            ),
        ),
        migrations.RunPython(link_contacts, migrations.RunPython.noop),
    ]
