from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0012_webmentions_sent"),
    ]

    operations = []
