# The dashboard counters and the notifications are platform services: their models move
# from command to core. The rows stay: the state moves, then the tables are renamed.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_alter_apitoken_role_alter_user_role'),
        ('command', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('message', models.CharField(max_length=300, verbose_name='message')),
                        ('url', models.CharField(max_length=300, verbose_name='link')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='core.unit', verbose_name='unit')),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'db_table': 'command_notification',
                        'indexes': [models.Index(fields=['unit', 'read_at'], name='notification_unread')],
                    },
                ),
                migrations.CreateModel(
                    name='Counter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('metric', models.CharField(max_length=48, verbose_name='metric')),
                        ('day', models.DateField(verbose_name='day')),
                        ('value', models.BigIntegerField(default=0, verbose_name='value')),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='core.region', verbose_name='region')),
                    ],
                    options={
                        'verbose_name': 'counter',
                        'verbose_name_plural': 'counters',
                        'db_table': 'command_counter',
                        'constraints': [models.UniqueConstraint(fields=('region', 'metric', 'day'), name='one_counter_a_day')],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='notification', table=None),
        migrations.AlterModelTable(name='counter', table=None),
    ]
