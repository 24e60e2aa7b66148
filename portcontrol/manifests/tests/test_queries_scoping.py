"""A user of one country must not reach another country's manifests through any query."""

import pytest

from portcontrol.manifests import queries
from portcontrol.manifests.models import Container
from portcontrol.testing.records import BAKU_CONTAINER, KARACHI_CONTAINER, POTI_CONTAINER

pytestmark = pytest.mark.django_db

ALL = {BAKU_CONTAINER, KARACHI_CONTAINER, POTI_CONTAINER}


@pytest.mark.parametrize("persona, visible", [
    ("baku.officer", {BAKU_CONTAINER}),
    ("baku.supervisor", {BAKU_CONTAINER}),
    ("karachi.officer", {KARACHI_CONTAINER}),
    ("poti.officer", {POTI_CONTAINER}),
    ("az.coordinator", {BAKU_CONTAINER}),
    ("programme.admin", set()),
])
def test_search_is_scoped(org, manifests, persona, visible):
    user = org[persona]
    for number in ALL:
        found = {c.number for c in queries.search_containers(user, number).containers}
        assert found == ({number} & visible)
    assert {c.number for c in queries.containers_for(user)} == visible
    prefix_hits = set()
    for prefix in ("MSCU", "MAEU", "CMAU"):
        prefix_hits |= {c.number for c in queries.search_containers(user, prefix).containers}
    assert prefix_hits == visible
    assert {v.unit.code for v in queries.recent_voyages(user)} <= {
        c.unit.code for c in Container.objects.filter(number__in=visible)}


@pytest.mark.parametrize("text, fragment", [
    ("'; DROP TABLE manifests_container; --", "is not a container number"),
    ("MS", "at least the four letters"),
    ("<img src=x onerror=alert(1)>", "is not a container number"),
])
def test_hostile_or_short_queries_get_a_clear_error(baku_officer, manifests, text, fragment):
    result = queries.search_containers(baku_officer, text)
    assert fragment in result.error and not result.containers


def test_wrong_check_digit_warns_but_still_searches(baku_officer, manifests):
    wrong = BAKU_CONTAINER[:10] + str((int(BAKU_CONTAINER[10]) + 1) % 10)
    result = queries.search_containers(baku_officer, wrong)
    assert "check digit" in result.warning and result.containers == []



@pytest.mark.parametrize("prefix", ["MSCU", "MSCU1", "MSCU12", "MSCU123456", "MSCU9", "MSCZ",
                                    "MSCJ", "ZZZU"])
def test_prefix_search_finds_exactly_the_numbers_that_start_with_it(org, baku_officer,
                                                                     prefix):
    from portcontrol.manifests.loading import do_load_records
    from portcontrol.testing.records import container_number, record

    numbers = [container_number(s) for s in ("MSCU123456", "MSCU129999", "MSCU130000",
                                             "MSCU200001", "MSCU999999", "MSCZ000001",
                                             "MSCJ999999", "MAEU120000")]
    loaded = do_load_records([record(bl=f"PFX{i}", port="AZBAK", container=n)
                     for i, n in enumerate(numbers)], acting_user=None, source="t")
    assert loaded.containers == len(numbers)
    found = [c.number for c in queries.search_containers(baku_officer, prefix).containers]
    assert sorted(found) == sorted(n for n in numbers if n.startswith(prefix))
