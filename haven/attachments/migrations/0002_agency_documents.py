import django.db.models.deletion
from django.db import migrations, models


def fill_agency(apps, schema_editor):
    Attachment = apps.get_model("attachments", "Attachment")
    for row in Attachment.objects.select_related("case").only("id", "case__agency_id"):
        Attachment.objects.filter(pk=row.pk).update(agency_id=row.case.agency_id)


class Migration(migrations.Migration):
    dependencies = [
        ("attachments", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="agency",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.agency",
            ),
        ),
        migrations.RunPython(fill_agency, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="attachment",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.agency",
            ),
        ),
        migrations.AlterField(
            model_name='attachment',
            name='case',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='people.case'),
        ),
        migrations.AlterField(
            model_name='attachment',
            name='use',
            field=models.CharField(choices=[('document', 'Document'), ('consent', 'Signed consent'), ('court_order', 'Court order'), ('communication', 'Part of a communication'), ('agreement', 'Confidentiality agreement')], default='document', max_length=20),
        ),
        migrations.AddConstraint(
            model_name='attachment',
            constraint=models.CheckConstraint(condition=models.Q(('case__isnull', False), ('use__in', ['agreement']), _connector='OR'), name='attachment_of_a_case_or_the_agency'),
        ),
    ]
