import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from portcontrol.audit.log import record, verify_chain
from portcontrol.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_record_outside_transaction_is_refused():
    with pytest.raises(RuntimeError):
        record(actor=None, action="x", object_type="y")


def test_chain_is_intact_then_detects_tampering(org):
    with transaction.atomic():
        record(actor=org["baku.officer"], action="test.change", object_type="thing",
               object_id=1, before={"a": 1}, after={"a": 2})
    count, broken = verify_chain()
    assert count >= 2 and broken == []
    call_command("audit_verify")
    victim = AuditRecord.objects.order_by("id")[1]
    AuditRecord.objects.filter(pk=victim.pk).update(after={"forged": True})
    _, broken = verify_chain()
    assert victim.pk in broken
    with pytest.raises(CommandError, match="chain broken"):
        call_command("audit_verify")


def test_deleted_record_breaks_the_chain(org):
    first = AuditRecord.objects.order_by("id")[2]
    first.delete()
    _, broken = verify_chain()
    assert broken
