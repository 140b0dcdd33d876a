import uuid

from crisis_care.core.audit import audit_list_view
from crisis_care.core.models import AuditAction, AuditEvent


def test_a_list_view_writes_one_row_for_the_list_and_one_per_person_shown(practitioner):
    sam, jo = uuid.uuid4(), uuid.uuid4()

    audit_list_view(
        actor=practitioner,
        object_type="treatment.caseload",
        object_id=None,
        section="caseload",
        person_ids=[sam, jo, sam],
        detail={"flag": "no-visit"},
    )

    list_row = AuditEvent.objects.get(person_id__isnull=True)
    assert list_row.detail == {"flag": "no-visit", "rows": 2}
    people = AuditEvent.objects.filter(person_id__isnull=False)
    assert sorted(people.values_list("person_id", flat=True)) == sorted([sam, jo])
    assert {e.action for e in people} == {AuditAction.VIEW}
    assert {e.actor_id for e in people} == {practitioner.pk}


def test_a_list_view_costs_one_insert_for_a_caseload_of_sixty(
    practitioner, django_assert_num_queries
):
    with django_assert_num_queries(1):
        audit_list_view(
            actor=practitioner,
            object_type="treatment.caseload",
            object_id=None,
            section="caseload",
            person_ids=[uuid.uuid4() for _ in range(60)],
        )
