from django.db import migrations


class Migration(migrations.Migration):
    """Parameter moves to org (its rows may belong to a unit; core knows no domain model).
    Only the state moves: the table, its rows and constraints stay (org 0002 takes it over)."""

    dependencies = [("core", "0002_parameter_unit")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Parameter")],
            database_operations=[],
        )
    ]
