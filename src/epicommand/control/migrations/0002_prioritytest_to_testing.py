# PriorityTest now lives in testing (testing 0005 took its state and renamed its table);
# control only forgets it.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('control', '0001_initial'),
        ('testing', '0005_prioritytest'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='PriorityTest')],
        ),
    ]
