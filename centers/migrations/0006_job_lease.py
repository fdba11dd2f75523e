from django.db import migrations, models


def lease_open_imports(apps, schema_editor):
    """Imports pending or running when this is applied were queued once, when created."""
    CenterImport = apps.get_model("centers", "CenterImport")
    CenterImport.objects.filter(status__in=["pending", "running"]).update(attempts=1, queued_at=models.F("created_at"))
    CenterImport.objects.filter(status="running").update(heartbeat_at=models.F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("centers", "0005_licence_document_as_printed"),
    ]

    operations = [
        migrations.AddField(
            model_name="centerimport",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, help_text="Số lần việc này được gửi tới hàng đợi; được gửi lại khi máy xử lý ngừng giữa chừng.", verbose_name="số lần gửi xử lý"),
        ),
        migrations.AddField(
            model_name="centerimport",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="tín hiệu cuối của máy xử lý"),
        ),
        migrations.AddField(
            model_name="centerimport",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="gửi xử lý lúc"),
        ),
        migrations.RunPython(lease_open_imports, migrations.RunPython.noop),
    ]
