# Counter and Notification now live in core (core 0006 took their state and renamed their
# tables); command only forgets them.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('command', '0001_initial'),
        ('core', '0006_counter_notification'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Counter'),
                migrations.DeleteModel(name='Notification'),
            ],
        ),
    ]
