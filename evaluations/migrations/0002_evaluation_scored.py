"""Evaluation.scored: whether the moment counts for the score, copied from the programme's
settings (the defaults when it saved none: the mid-term moment does not count)."""

from django.db import migrations, models

DEFAULT_UNSCORED = {"midterm"}


def copy_from_settings(apps, schema_editor):
    from wpl.tenancy import unscoped_writes

    # Every institution's evaluations (historical models have no tenancy guards; the
    # current ones do when this runs in a test).
    with unscoped_writes():
        Evaluation = apps.get_model("evaluations", "Evaluation")
        Settings = apps.get_model("evaluations", "EvaluationSettings")
        unscored = {
            row.programme_id: {m.get("key") for m in row.moments or [] if not m.get("scored", True)}
            for row in Settings._base_manager.all()
        }
        for programme_id, keys in unscored.items():
            Evaluation._base_manager.filter(placement__programme_id=programme_id, moment__in=keys).update(
                scored=False
            )
        Evaluation._base_manager.exclude(placement__programme_id__in=list(unscored)).filter(
            moment__in=DEFAULT_UNSCORED
        ).update(scored=False)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="evaluation",
            name="scored",
            field=models.BooleanField(default=True, verbose_name="gets a score"),
        ),
        migrations.RunPython(copy_from_settings, migrations.RunPython.noop),
    ]
