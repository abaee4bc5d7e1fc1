from django.db import migrations, models
from django.utils import timezone


def create_the_row(apps, schema_editor):
    # Created here, so that concurrent first changes only ever update it.
    apps.get_model("core", "PublicChange").objects.get_or_create(
        pk=1, defaults={"changed_at": timezone.now()}
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="PublicChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("changed_at", models.DateTimeField()),
            ],
            options={"verbose_name": "public change", "ordering": ["pk"]},
        ),
        migrations.RunPython(create_the_row, migrations.RunPython.noop),
    ]
