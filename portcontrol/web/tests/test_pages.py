"""Pages through the test client, as each persona meets them."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from portcontrol.manifests.models import Container
from portcontrol.testing.records import BAKU_CONTAINER, KARACHI_CONTAINER

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    for url in (reverse("search"), reverse("home"), "/containers/1/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_login_page_and_wrong_password(client, org):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "baku.officer", "password": "nope"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_officer_finds_own_container_and_opens_its_page(login, baku_officer, manifests):
    client = login(baku_officer)
    response = client.get(reverse("search"), {"q": BAKU_CONTAINER.lower()})
    body = response.content.decode()
    assert response.status_code == 200 and BAKU_CONTAINER in body
    pk = Container.objects.get(number=BAKU_CONTAINER).pk
    page = client.get(reverse("container_detail", args=[pk])).content.decode()
    for text in ("MSCUGYE000001", "Caspian Fresh LLC", "Frutas del Pacifico", "080390",
                 "ESALG", "route-data", "MSC ANNA"):
        assert text in page


def test_other_countrys_container_is_invisible_on_every_page(login, baku_officer, manifests):
    client = login(baku_officer)
    body = client.get(reverse("search"), {"q": KARACHI_CONTAINER}).content.decode()
    assert "No container" in body and "MAEUKHI000001" not in body
    body = client.get(reverse("search"), {"q": "MAEU"}).content.decode()
    assert KARACHI_CONTAINER not in body
    pk = Container.objects.get(number=KARACHI_CONTAINER).pk
    assert client.get(reverse("container_detail", args=[pk])).status_code == 404
    home = client.get(reverse("search")).content.decode()
    assert "MAEU-9454436-045W" not in home


def test_national_coordinator_sees_own_country_only(login, az_coordinator, manifests):
    client = login(az_coordinator)
    baku = Container.objects.get(number=BAKU_CONTAINER).pk
    karachi = Container.objects.get(number=KARACHI_CONTAINER).pk
    assert client.get(reverse("container_detail", args=[baku])).status_code == 200
    assert client.get(reverse("container_detail", args=[karachi])).status_code == 404


def test_programme_admin_sees_no_manifests(login, programme_admin, manifests):
    client = login(programme_admin)
    body = client.get(reverse("search"), {"q": BAKU_CONTAINER}).content.decode()
    assert "does not give access" in body and "MSCUGYE000001" not in body
    pk = Container.objects.get(number=BAKU_CONTAINER).pk
    assert client.get(reverse("container_detail", args=[pk])).status_code == 404


@pytest.mark.parametrize("q, fragment", [
    ("12345", "is not a container number"),
    ("<script>alert(1)</script>", "is not a container number"),
    ("MSCU1234567", "check digit"),
])
def test_bad_search_input_gets_a_message_not_an_error(login, baku_officer, manifests, q,
                                                      fragment):
    response = login(baku_officer).get(reverse("search"), {"q": q})
    body = response.content.decode()
    assert response.status_code == 200 and fragment in body
    assert "<script>alert(1)</script>" not in body


def test_russian_interface(login, baku_officer, manifests):
    client = login(baku_officer)
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/containers/"})
    assert response.status_code == 302
    body = client.get(reverse("search")).content.decode()
    assert 'lang="ru"' in body and "Поиск контейнеров" in body


def test_static_assets_are_local(login, baku_officer, manifests):
    page = login(baku_officer).get(reverse("container_detail", args=[
        Container.objects.get(number=BAKU_CONTAINER).pk])).content.decode()
    assert "http://" not in page.replace("http://testserver", "") and "https://" not in page


def test_admin_is_open_to_programme_admin_for_reference_data(client, org):
    from portcontrol.accounts.models import User

    admin = User.objects.create_superuser("root", password="correct-horse-42")
    client.force_login(admin)
    assert client.get("/admin/reference/port/?q=Poti").status_code == 200
    assert client.get("/admin/accounts/unit/").status_code == 200
    # Operational tables are not in the admin site: no way around unit scoping there.
    assert client.get("/admin/manifests/container/").status_code == 404


def test_programme_admin_keeps_reference_data_and_units_through_admin(login, programme_admin):
    client = login(programme_admin)
    assert client.get("/admin/reference/port/?q=Poti").status_code == 200
    assert client.get("/admin/accounts/unit/").status_code == 200
    assert client.get("/admin/manifests/container/").status_code == 404


def test_officer_cannot_enter_admin(login, baku_officer):
    response = login(baku_officer).get("/admin/accounts/user/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_admin_edit_of_a_unit_is_audited(login, programme_admin):
    from portcontrol.accounts.models import Unit
    from portcontrol.audit.models import AuditRecord

    unit = Unit.objects.get(code="pcu-baku")
    client = login(programme_admin)
    response = client.post(f"/admin/accounts/unit/{unit.pk}/change/", {
        "agency": unit.agency_id, "code": unit.code, "name": "PCU Baku (Alat)",
        "kind": unit.kind, "ports": "AZBAK,AZALT", "is_active": "on"})
    assert response.status_code == 302
    rec = AuditRecord.objects.filter(action="admin.change", object_type="unit").latest("id")
    assert rec.before["name"] == "PCU Baku" and rec.after["name"] == "PCU Baku (Alat)"
    assert rec.actor == programme_admin


def test_health_check_needs_no_login_and_shows_no_data(client, manifests):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and "ports" in body["reference_data"]
    assert "MSCU" not in str(body)


def test_programme_admin_sets_a_units_capacity_and_it_is_audited(login, programme_admin):
    from portcontrol.accounts.models import Unit
    from portcontrol.audit.models import AuditRecord
    from portcontrol.risk.models import UnitRiskSettings

    unit = Unit.objects.get(code="pcu-poti")
    client = login(programme_admin)
    response = client.post("/admin/risk/unitrisksettings/add/", {
        "unit": unit.pk, "red_capacity": 12, "yellow_capacity": 40, "exploration_share": 0.03})
    assert response.status_code == 302
    assert UnitRiskSettings.objects.get(unit=unit).red_capacity == 12
    assert AuditRecord.objects.filter(action="admin.add", object_type="unitrisksettings").exists()
    # Assessments and rules stay out of the admin site: they are unit-scoped data.
    assert client.get("/admin/risk/assessment/").status_code == 404


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_bills_intake_warnings_are_on_its_containers_page(login, baku_officer, tmp_path,
                                                            language):
    """A warning keeps the record and is shown on it, in the reader's language."""
    from portcontrol.testing.records import record

    path = tmp_path / "one.json"
    path.write_text(json.dumps([record(bl="MSCUGYE000777", port="AZBAK",
                                       container=BAKU_CONTAINER, transshipment=["AZZZZ"])]))
    call_command("ingest", str(path), "--json", stdout=io.StringIO())
    container = Container.objects.get(number=BAKU_CONTAINER)
    client = login(baku_officer)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.get(reverse("container_detail", args=[container.pk])).content.decode()
    warnings = page.split('class="intake-warnings"')[1].split("</ul>")[0]
    assert "AZZZZ" in warnings and "transshipment_ports" in warnings
    if language == "ru":
        assert "Предупреждения при приёме данных" in page
        assert "UN/LOCODE" in warnings and "is not in the reference list" not in warnings
    else:
        assert "is not in the reference list" in warnings


def test_a_warning_about_one_container_of_a_bill_is_on_that_containers_page_only(
        login, baku_officer, tmp_path):
    from portcontrol.testing.records import container_number, record

    rec = record(bl="MSCUGYE000778", port="AZBAK", container=BAKU_CONTAINER)
    other = container_number("TCLU765432")
    rec["containers"].append({**rec["containers"][0], "container_number": other,
                              "vgm_kg": 15000})  # far from its gross mass: a warning
    path = tmp_path / "two.json"
    path.write_text(json.dumps([rec]))
    call_command("ingest", str(path), "--json", stdout=io.StringIO())
    client = login(baku_officer)

    def warnings(number: str) -> str:
        pk = Container.objects.get(number=number).pk
        page = client.get(reverse("container_detail", args=[pk])).content.decode()
        return page.split('class="intake-warnings"')[1].split("</ul>")[0] \
            if 'class="intake-warnings"' in page else ""

    assert "containers[1].vgm_kg" in warnings(other) and "15000" in warnings(other)
    assert warnings(BAKU_CONTAINER) == ""


@pytest.mark.parametrize("language, text", [("en", "6 days there"), ("ru", "6 дней там")])
def test_container_page_shows_the_days_at_transshipment(login, org, manifests, language, text):
    client = login(org["karachi.officer"])
    client.cookies["django_language"] = language
    pk = Container.objects.get(number=KARACHI_CONTAINER).pk
    page = client.get(reverse("container_detail", args=[pk]),
                      HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert "2026-11-03" in page and "2026-11-09" in page and text in page
    assert '<dd class="dwell"><code class="mono">ESALG</code>' in page  # the port they are of
    baku = Container.objects.get(number=BAKU_CONTAINER).pk
    assert 'class="dwell"' not in login(org["baku.officer"]).get(
        reverse("container_detail", args=[baku])).content.decode()  # no days given
