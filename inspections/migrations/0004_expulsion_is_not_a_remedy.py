"""Issue 11: the catalogue listed "Buộc trục xuất người lao động nước ngoài" as the remedial
measure of Decree 12/2022 Art 32.4 (employing a foreigner without a work permit), which the
inspection record then asked the center to carry out. Expulsion is a sanction on the
foreign worker (regulations.md 3.1: "expulsion (of foreigners)" among the additional
sanctions; the Law on Handling Administrative Violations lists it among the sanctions, not
the remedial measures), decided by the police (ND 04 Art 38: provincial police director,
Immigration Department), never a measure the employer takes. The act keeps its fine; its
remedy is cleared, here and on violations that copied it."""

from django.db import migrations

EXPULSION = "Buộc trục xuất người lao động nước ngoài"


def clear(apps, schema_editor):
    SanctionArticle = apps.get_model("inspections", "SanctionArticle")
    Violation = apps.get_model("inspections", "Violation")
    SanctionArticle.objects.filter(version__code="ND12-2022", article="32", clause="4", remedy=EXPULSION).update(
        remedy="")
    Violation.objects.filter(remedy=EXPULSION).update(remedy="")


def restore(apps, schema_editor):
    SanctionArticle = apps.get_model("inspections", "SanctionArticle")
    SanctionArticle.objects.filter(version__code="ND12-2022", article="32", clause="4", remedy="").update(
        remedy=EXPULSION)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0003_vietnamese_collation")]
    operations = [migrations.RunPython(clear, restore)]
