# The priority-testing list is testing's: the model moves from control, its rows stay. The
# state moves, then the table control_prioritytest is renamed testing_prioritytest.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_regionboundary'),
        ('people', '0001_initial'),
        ('testing', '0004_fewer_sample_indexes'),
        ('control', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PriorityTest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.CharField(choices=[('checkpoint_fever', 'Fever at a checkpoint'), ('fever_clinic', 'Fever-clinic patient'), ('close_contact', 'Close contact'), ('suspected_case', 'Suspected case')], max_length=20, verbose_name='reason')),
                        ('detail', models.CharField(blank=True, max_length=200, verbose_name='detail')),
                        ('source_key', models.CharField(max_length=100, unique=True, verbose_name='source key')),
                        ('listed_at', models.DateTimeField(verbose_name='listed at')),
                        ('deadline', models.DateTimeField(verbose_name='test by')),
                        ('sampled_at', models.DateTimeField(blank=True, null=True, verbose_name='sampled at')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.person', verbose_name='person')),
                        ('region', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='region')),
                    ],
                    options={
                        'verbose_name': 'priority-testing entry',
                        'verbose_name_plural': 'priority-testing list',
                        'db_table': 'control_prioritytest',
                        'indexes': [models.Index(fields=['region', 'listed_at'], name='prioritytest_region')],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='prioritytest', table=None),
    ]
