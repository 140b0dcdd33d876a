"""Make the audit table append-only in the database itself (ADR 0003).

UPDATE is refused on both engines. DELETE is refused on PostgreSQL row by row;
TRUNCATE stays possible for the DBA's retention job (and the test runner's flush).
SQLite has no TRUNCATE, so its flush uses DELETE: there the application layer
(AuditEvent.delete and its queryset) is what refuses deletes.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION core_audit_append_only() RETURNS trigger AS $$
            BEGIN
              RAISE EXCEPTION 'the audit log is append-only';
            END;
            $$ LANGUAGE plpgsql;
            CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
              FOR EACH ROW EXECUTE FUNCTION core_audit_append_only();
            CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
              FOR EACH ROW EXECUTE FUNCTION core_audit_append_only();
            """
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            """
            CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            """
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update" + (" ON core_auditevent" if vendor == "postgresql" else ""))
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete ON core_auditevent")
        schema_editor.execute("DROP FUNCTION IF EXISTS core_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
