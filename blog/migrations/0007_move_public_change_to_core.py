from django.db import migrations


class Migration(migrations.Migration):
    """The page cache's change row moved to the core app (core.0001 creates it anew)."""

    dependencies = [
        ("blog", "0006_public_change"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="PublicChange"),
    ]
