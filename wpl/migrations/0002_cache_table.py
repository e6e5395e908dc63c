"""The database cache's table, created by `migrate` itself.

Without Redis the cache is a database table (`wpl_cache`). Writes bump the start page's
figures version in it at commit (`wpl/freshness.py`), so the table must exist before any
data is written, also when a script runs `migrate` and then seeds without calling
`createcachetable`. The command is idempotent and does nothing for other cache backends.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("wpl", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
