"""The audit log is append-only, in the application and in the database."""

import pytest
from django.db import DatabaseError, connection, transaction

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction, AuditEvent, AuditLogIsAppendOnly

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(practitioner) -> AuditEvent:
    return audit_record(actor=practitioner, action=AuditAction.VIEW, object_type="people.Person")


def test_it_records_who_in_which_role_and_when(event, practitioner):
    assert event.actor == practitioner
    assert event.actor_name == str(practitioner)
    assert event.actor_role == practitioner.role
    assert event.occurred_at is not None


def test_an_audit_event_cannot_be_changed_or_deleted_through_the_application(event):
    event.reason = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(reason="tampered")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_an_update_even_in_raw_sql(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET reason = 'tampered'")
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row DELETE trigger is PostgreSQL-only (ADR 0003)"
)
def test_postgresql_refuses_a_delete_even_in_raw_sql(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()
