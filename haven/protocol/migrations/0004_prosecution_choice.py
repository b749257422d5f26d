"""The person's choice about law enforcement gets two parts: talking to
police or investigators, and taking part in a prosecution
(docs/adr/0026-shelter-and-agency-steps.md). A choice recorded before had one
answer for both: a yes opens both parts, a no refuses both. Contacts logged
before were all with police or investigators.

Going back keeps the old answer for police (what it governed then): a
choice that opens investigation becomes a yes.
"""

from django.db import migrations, models


def split_choices(apps, schema_editor):
    Choice = apps.get_model("protocol", "LawEnforcementChoice")
    Choice.objects.filter(agrees=True).update(investigation=True, prosecution=True)
    Choice.objects.filter(agrees=False).update(investigation=False, prosecution=False)


def join_choices(apps, schema_editor):
    Choice = apps.get_model("protocol", "LawEnforcementChoice")
    Choice.objects.update(agrees=models.F("investigation"))


class Migration(migrations.Migration):
    dependencies = [
        ("protocol", "0003_steps_for_every_case"),
    ]

    operations = [
        # A default, so that going back can add the column again to existing rows.
        migrations.AlterField(
            model_name="lawenforcementchoice",
            name="agrees",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="lawenforcementchoice",
            name="investigation",
            field=models.BooleanField(
                default=False, verbose_name="agrees to talk to police or investigators"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="lawenforcementchoice",
            name="prosecution",
            field=models.BooleanField(
                default=False, verbose_name="agrees to take part in a prosecution"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(split_choices, join_choices),
        migrations.RemoveField(
            model_name="lawenforcementchoice",
            name="agrees",
        ),
        migrations.AddField(
            model_name="lawenforcementcontact",
            name="part",
            field=models.CharField(
                choices=[
                    ("investigation", "Police or investigators"),
                    ("prosecution", "Prosecutors or their victim-witness program"),
                ],
                default="investigation",
                max_length=13,
                verbose_name="investigators or prosecutors",
            ),
        ),
    ]
