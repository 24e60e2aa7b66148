"""The watchlist pages as analysts, supervisors, officers, other countries and the programme
office meet them: upload, report, replace, browse, delete, and hostile files."""

from __future__ import annotations

import importlib
import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from portcontrol.audit.log import record as audit
from portcontrol.audit.models import AuditRecord
from portcontrol.risk.models import Watchlist, WatchlistEntry
from portcontrol.risk.watchlists import index_for
from portcontrol.testing.records import container_number

pytestmark = pytest.mark.django_db

HEADER = "id,name,kind,country,aliases\n"
LISTED_BOX = container_number("TGHU123456")
GOOD_AND_BAD = (
    HEADER
    + "W1,Caspian Fresh LLC,company,AZ,Caspian Fresh Trading;Каспиан Фреш\n"  # line 2
    + "W2,,company,AZ,\n"  # line 3: no name
    + "W3,Frutas Ltd,spaceship,EC,\n"  # line 4: unknown kind
    + "W4,Bad Country Ltd,company,Azerbaijan,\n"  # line 5: not an ISO code
    + "W5,Extra Values Ltd,company,AZ,a,b\n"  # line 6: an unquoted comma
    + f"W6,{LISTED_BOX},container,,\n"  # line 7
    + "W1,Caspian Again,company,AZ,\n"  # line 8: id used twice
)
EXPECTED_REJECTED = {3: "name", 4: "kind", 5: "country", 6: "row", 8: "id"}


def analyst(org):
    return org["baku.analyst"]


def csv_file(text: str, name: str = "national.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def upload(client, content, name: str = "national", filename: str = "national.csv"):
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    return client.post(reverse("watchlist_upload"), {
        "name": name, "file": SimpleUploadedFile(filename, data)})


def replace(client, watchlist, content, filename: str = "update.csv"):
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    return client.post(reverse("watchlist_replace", args=[watchlist.pk]),
                       {"file": SimpleUploadedFile(filename, data)})


@pytest.fixture
def national(org, login):
    """A list of the Baku unit uploaded by its analyst through the page."""
    response = upload(login(analyst(org)), HEADER + "N1,Caspian Fresh LLC,company,AZ,\n"
                      "N2,Indus Traders,company,PK,\n")
    assert response.status_code == 302
    return Watchlist.objects.get(name="national")


def test_upload_reports_accepted_and_rejected_rows_with_line_and_reason(org, login):
    client = login(analyst(org))
    response = upload(client, GOOD_AND_BAD)
    watchlist = Watchlist.objects.get(unit=analyst(org).unit, name="national")
    assert response.status_code == 302
    assert response["Location"] == reverse("watchlist_detail", args=[watchlist.pk])
    assert watchlist.entries_count == 2 and watchlist.source_file == "national.csv"
    assert watchlist.created_by == analyst(org)
    page = client.get(response["Location"]).content.decode()
    assert 'id="rows-accepted">2<' in page and 'id="rows-rejected">5<' in page
    rows = page.split('id="rejected-rows"')[1].split("</table>")[0]
    for line, field in EXPECTED_REJECTED.items():
        assert f"<td>{line}</td><td><code class=\"mono\">{field}</code></td>" in rows
    assert "is empty" in rows and "spaceship" in rows and "two-letter ISO 3166" in rows
    assert "already used on line 2" in rows
    # The report is shown once, after the upload; the list and its entries stay.
    again = client.get(response["Location"]).content.decode()
    assert 'id="import-report"' not in again and "Caspian Fresh LLC" in again
    record = AuditRecord.objects.filter(action="watchlist.import").last()
    assert record.actor == analyst(org) and record.object_id == str(watchlist.pk)
    assert record.after["entries"] == 2 and record.after["rejected_rows"] == 5


def test_list_shows_name_entries_file_who_and_when(org, login, national):
    page = login(org["baku.supervisor"]).get(reverse("watchlists")).content.decode()
    table = page.split('id="watchlists"')[1].split("</table>")[0]
    assert "national" in table and "<td>2</td>" in table and "national.csv" in table
    assert "baku.analyst" in table and national.created_at.strftime("%Y-%m-%d") in table


def test_an_upload_records_who_imported_the_list_and_when(org, login):
    start = timezone.now()
    response = upload(login(analyst(org)), HEADER + "N1,Caspian Fresh LLC,company,AZ,\n")
    assert response.status_code == 302
    watchlist = Watchlist.objects.get(name="national")
    assert watchlist.imported_by == analyst(org) == watchlist.created_by
    assert start <= watchlist.imported_at <= timezone.now()


def test_a_replace_records_the_new_importer_and_keeps_the_creator(org, login, national):
    first = national.imported_at
    response = replace(login(org["baku.supervisor"]), national,
                       HEADER + "R1,Frutas del Pacifico S.A.,company,EC,\n")
    assert response.status_code == 302
    national.refresh_from_db()
    assert national.imported_by == org["baku.supervisor"]
    assert national.created_by == analyst(org) and national.imported_at > first


def test_the_pages_show_the_latest_importer(org, login, national):
    replace(login(org["baku.supervisor"]), national, HEADER + "R1,Frutas S.A.,company,EC,\n")
    national.refresh_from_db()
    client = login(org["baku.officer"])
    table = client.get(reverse("watchlists")).content.decode()
    table = table.split('id="watchlists"')[1].split("</table>")[0]
    assert "<td>baku.supervisor</td>" in table and "baku.analyst" not in table
    assert f"<td>{national.imported_at:%Y-%m-%d %H:%M}</td>" in table
    detail = client.get(reverse("watchlist_detail", args=[national.pk])).content.decode()
    last = detail.split('id="last-import">')[1].split("</dd>")[0]
    assert last == f"{national.imported_at:%Y-%m-%d %H:%M} · by baku.supervisor"
    # No user is known for a command-line import: the pages say so.
    Watchlist.objects.filter(pk=national.pk).update(imported_by=None)
    detail = client.get(reverse("watchlist_detail", args=[national.pk])).content.decode()
    last = detail.split('id="last-import">')[1].split("</dd>")[0]
    assert last == f"{national.imported_at:%Y-%m-%d %H:%M} · command line"
    table = client.get(reverse("watchlists")).content.decode()
    assert "<td>command line</td>" in table.split('id="watchlists"')[1].split("</table>")[0]


def test_the_migration_fills_the_importer_from_the_audit_log(org, login, national):
    """0005's data step: the latest `watchlist.import` record of each list, else its
    creation."""
    step = importlib.import_module("portcontrol.risk.migrations.0005_watchlist_imported")
    supervisor = org["baku.supervisor"]
    other = Watchlist.objects.create(unit=national.unit, name="older",
                                     created_by=analyst(org))
    with transaction.atomic():
        audit(actor=supervisor, action="watchlist.import", object_type="watchlist",
              object_id=national.pk, unit_id=national.unit_id, before={"entries": 2},
              after={"entries": 2})
    latest = AuditRecord.objects.filter(action="watchlist.import").last()
    earlier = timezone.now() - timedelta(days=30)
    Watchlist.objects.filter(pk=other.pk).update(created_at=earlier)
    Watchlist.objects.update(imported_by=None, imported_at=None)
    step.fill_imported(apps, connection.schema_editor())
    national.refresh_from_db()
    other.refresh_from_db()
    assert national.imported_by == supervisor and national.imported_at == latest.at
    assert national.created_by == analyst(org)
    assert other.imported_by == analyst(org) and other.imported_at == earlier


def test_uploaded_entries_are_screened_at_scoring(org, login, national):
    index = index_for(analyst(org).unit)
    assert index is not None and len(index.entries) == 2


def test_the_index_is_built_once_per_version_of_the_lists(org, login, national):
    """Scoring runs after every intake: the index of unchanged lists is the one already
    built; a replaced, added or deleted list gives a new one."""
    from portcontrol.risk.actions_watchlists import do_delete_watchlist

    unit = analyst(org).unit
    first = index_for(unit)
    assert index_for(unit) is first
    assert index_for(org["karachi.officer"].unit) is None  # another unit: its own lists
    replace(login(org["baku.supervisor"]), national, HEADER + "R1,Frutas S.A.,company,EC,\n")
    replaced = index_for(unit)
    assert replaced is not first and [e.names for e in replaced.entries] == [("Frutas S.A.",)]
    upload(login(analyst(org)), HEADER + "E1,Extra Trading LLC,company,AZ,\n", name="extra")
    both = index_for(unit)
    assert both is not replaced and len(both.entries) == 2
    do_delete_watchlist(acting_user=org["baku.supervisor"], watchlist=national)
    assert [e.names for e in index_for(unit).entries] == [("Extra Trading LLC",)]
    do_delete_watchlist(acting_user=org["baku.supervisor"],
                        watchlist=Watchlist.objects.get(name="extra"))
    assert index_for(unit) is None


def test_ftm_json_is_detected_by_content(org, login):
    lines = [
        {"id": "ftm-1", "schema": "Company", "properties": {
            "name": ["Kolkhida Import LLC"], "alias": ["Колхида Импорт"], "country": ["ge"]}},
        {"id": "ftm-2", "schema": "Vessel", "properties": {
            "name": ["MSC ANNA"], "imoNumber": ["IMO 9321483"]}},
        {"id": "ftm-3", "schema": "Sanction", "properties": {"program": ["x"]}},
        {"id": "ftm-4", "schema": "Person", "properties": {"name": "not a list"}},
    ]
    text = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n{broken\n"
    client = login(analyst(org))
    response = upload(client, text, name="opensanctions", filename="export.txt")
    assert response.status_code == 302
    watchlist = Watchlist.objects.get(name="opensanctions")
    assert watchlist.entries_count == 2
    vessel = WatchlistEntry.objects.get(watchlist=watchlist, entry_id="ftm-2")
    assert vessel.imo_numbers == ["9321483"]
    page = client.get(response["Location"]).content.decode()
    assert "FollowTheMoney JSON" in page and 'id="rows-rejected">2<' in page
    assert "<td>4</td>" in page and "<td>5</td>" in page  # the bad property, the bad JSON


def test_replace_swaps_the_entries_and_says_how_many_it_replaced(org, login, national):
    client = login(org["baku.supervisor"])
    response = replace(client, national, HEADER + "R1,Frutas del Pacifico S.A.,company,EC,\n")
    assert response.status_code == 302
    national.refresh_from_db()
    assert national.entries_count == 1 and national.source_file == "update.csv"
    assert list(national.entries.values_list("entry_id", flat=True)) == ["R1"]
    page = client.get(response["Location"]).content.decode()
    assert "replaced its 2 entries" in page
    last = page.split("Last imported")[1].split("</dd>")[0]
    assert "baku.supervisor" in last  # the list was created by the analyst
    assert AuditRecord.objects.filter(action="watchlist.import",
                                      object_id=str(national.pk)).count() == 2


def test_a_file_without_a_valid_row_changes_nothing(org, login, national):
    client = login(analyst(org))
    response = replace(client, national, HEADER + "X1,,company,AZ,\nX2,Y,planet,AZ,\n")
    assert response.status_code == 400
    page = response.content.decode()
    assert "nothing was stored" in page and "<td>2</td>" in page and "<td>3</td>" in page
    national.refresh_from_db()
    assert national.entries_count == 2 and national.entries.count() == 2
    response = upload(client, HEADER + "X1,,company,AZ,\n", name="empty")
    assert response.status_code == 400 and not Watchlist.objects.filter(name="empty").exists()


def test_a_new_upload_does_not_silently_replace_a_list_of_the_same_name(org, login, national):
    response = upload(login(analyst(org)), HEADER + "Z1,Other,company,AZ,\n", name="National")
    assert response.status_code == 400
    assert "already has a list named" in response.content.decode()
    national.refresh_from_db()
    assert national.entries_count == 2


HUGE = "A" * 200_000  # beyond the csv module's own field limit (131,072)


@pytest.mark.parametrize("content, filename, message", [
    ("id,name,kind,country\nW1,Café Ltd,company,AZ\n".encode("latin-1"), "latin1.csv",
     "not UTF-8 text: line 2"),
    (HEADER.encode("utf-16"), "excel.csv", "UTF-16"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "picture.csv", "not UTF-8"),
    ("name,type\nCaspian,company\n".encode(), "columns.csv", "missing column(s) id, kind"),
    ("firstname;lastname\nA;B\n".encode(), "semicolons.csv", "missing column(s)"),
    (b'[{"id": "x", "schema": "Company"}]', "array.json", "JSON array"),
    (b"", "empty.csv", "The submitted file is empty"),
], ids=["latin-1", "utf-16", "binary", "wrong-columns", "wrong-delimiter", "json-array",
        "empty"])
def test_hostile_files_are_refused_clearly_and_the_list_stays(org, login, national, content,
                                                              filename, message):
    response = replace(login(analyst(org)), national, content, filename=filename)
    assert response.status_code == 400
    assert message in response.content.decode()
    national.refresh_from_db()
    assert national.entries_count == 2 and national.entries.count() == 2
    assert national.source_file == "national.csv"


def test_a_huge_line_is_rejected_and_the_valid_rows_are_kept(org, login):
    text = (HEADER + "H1,Caspian Fresh LLC,company,AZ,\n" + f"H2,{HUGE},company,AZ,\n"
            + "H3,Indus Traders,company,PK,\n")
    client = login(analyst(org))
    response = upload(client, text, name="huge")
    assert response.status_code == 302
    watchlist = Watchlist.objects.get(name="huge")
    assert sorted(watchlist.entries.values_list("entry_id", flat=True)) == ["H1", "H3"]
    page = client.get(response["Location"]).content.decode()
    assert "<td>3</td>" in page and "200015 characters long" in page
    assert HUGE[:1000] not in page


def test_a_huge_ftm_line_is_rejected_and_the_valid_ones_are_kept(org, login):
    good = json.dumps({"id": "f1", "schema": "Company", "properties": {"name": ["Good Co"]}})
    huge = json.dumps({"id": "f2", "schema": "Company",
                       "properties": {"name": ["B" * 1_100_000]}})
    response = upload(login(analyst(org)), f"\n\n{good}\n{huge}\n{good.replace('f1', 'f3')}\n",
                      name="ftm", filename="list.json")
    assert response.status_code == 302
    watchlist = Watchlist.objects.get(name="ftm")
    assert sorted(watchlist.entries.values_list("entry_id", flat=True)) == ["f1", "f3"]
    report = login(analyst(org)).get(response["Location"]).content.decode()
    assert "<td>4</td>" in report  # counted from the top of the file, blank lines included


def test_nul_characters_and_broken_escapes_reject_their_rows_only(org, login):
    client = login(analyst(org))
    text = HEADER + "N1,Good Co,company,AZ,\n" + "N2,Bad\x00Co,company,AZ,\n" \
        + "N3,Other Co,company,AZ,\n"
    response = upload(client, text, name="nul")
    assert response.status_code == 302
    assert sorted(Watchlist.objects.get(name="nul").entries.values_list(
        "entry_id", flat=True)) == ["N1", "N3"]
    assert "NUL character" in client.get(response["Location"]).content.decode()
    lines = [
        '{"id": "e1", "schema": "Company", "properties": {"name": ["Good Co"]}}',
        '{"id": "e2", "schema": "Company", "properties": {"name": ["Bad\\u0000Co"]}}',
        '{"id": "e3", "schema": "Company", "properties": {"name": ["Half \\ud800 pair"]}}',
        '{"id": "e4", "schema": "Company", "properties": {"name": ["Smile \\ud83d\\ude00"]}}',
    ]
    response = upload(client, "\n".join(lines), name="escapes", filename="list.jsonl")
    assert response.status_code == 302
    watchlist = Watchlist.objects.get(name="escapes")
    assert sorted(watchlist.entries.values_list("entry_id", flat=True)) == ["e1", "e4"]
    assert "Smile \U0001F600" in watchlist.entries.get(entry_id="e4").names
    page = client.get(response["Location"]).content.decode()
    assert 'id="rows-rejected">2<' in page and "surrogate" in page
    utf16_without_bom = HEADER.encode("utf-16-le")
    response = upload(client, utf16_without_bom, name="utf16")
    assert response.status_code == 400 and "NUL characters" in response.content.decode()


def test_html_in_names_is_shown_as_text(org, login):
    client = login(analyst(org))
    response = upload(client, HEADER + 'X1,"<script>alert(1)</script> Trading",company,AZ,'
                      '<b>bold alias</b>\n', name="<i>html</i>")
    assert response.status_code == 302
    entry = WatchlistEntry.objects.get(entry_id="X1")
    assert entry.names[0] == "<script>alert(1)</script> Trading"  # stored as given
    for url in (response["Location"], reverse("watchlists")):
        page = client.get(url).content.decode()
        assert "<script>alert(1)" not in page and "<b>bold" not in page
        assert "<i>html</i>" not in page and "&lt;i&gt;html&lt;/i&gt;" in page
    page = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Trading" in page


def test_files_above_the_upload_limit_are_refused_naming_the_limit(org, login, national,
                                                                   settings):
    settings.PORTCONTROL_MAX_UPLOAD_MB = 1
    big = HEADER + "".join(f"B{i},Name number {i} Trading,company,AZ,\n" for i in range(40_000))
    assert len(big) > 1024 * 1024
    client = login(analyst(org))
    response = upload(client, big, name="big")
    assert response.status_code == 400
    assert "the largest file accepted is 1 MB" in response.content.decode()
    assert not Watchlist.objects.filter(name="big").exists()
    response = replace(client, national, big)
    assert response.status_code == 400 and "1 MB" in response.content.decode()
    national.refresh_from_db()
    assert national.entries_count == 2


def test_search_and_pages_of_entries(org, login):
    rows = "".join(f"P{i:03},Company number {i:03},company,AZ,\n" for i in range(120))
    client = login(analyst(org))
    response = upload(client, HEADER + rows + "C1,ООО Каспиан Фреш,company,AZ,Kaspian\n"
                      + f"C2,{LISTED_BOX},container,,\n", name="many")
    detail = response["Location"]
    first = client.get(detail).content.decode()
    assert "Page 1 of 3 (122 entries)" in first and "P000" in first and "P050" not in first
    assert "P050" in client.get(detail, {"page": 2}).content.decode()
    found = client.get(detail, {"q": "каспиан"}).content.decode()
    assert "C1" in found and "P001" not in found and "(1 entry)" in found
    assert "C2" in client.get(detail, {"q": LISTED_BOX[:6].lower()}).content.decode()
    assert "P119" in client.get(detail, {"q": "NUMBER 119"}).content.decode()
    assert "No entry matches." in client.get(detail, {"q": "nobody"}).content.decode()


def test_delete_needs_confirmation_and_is_audited(org, login, national):
    client = login(analyst(org))
    url = reverse("watchlist_delete", args=[national.pk])
    client.post(url, {})
    assert Watchlist.objects.filter(pk=national.pk).exists()
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("watchlists")
    assert not Watchlist.objects.filter(pk=national.pk).exists()
    assert not WatchlistEntry.objects.filter(watchlist_id=national.pk).exists()
    record = AuditRecord.objects.filter(action="watchlist.delete").get()
    assert record.actor == analyst(org) and record.before["entries"] == 2
    assert record.before["name"] == "national"


def test_officer_and_coordinator_read_but_do_not_change(org, login, national):
    for username in ("baku.officer", "az.coordinator"):
        client = login(org[username])
        listing = client.get(reverse("watchlists")).content.decode()
        assert "national" in listing and 'id="watchlist-upload-form"' not in listing
        detail = client.get(reverse("watchlist_detail", args=[national.pk]))
        assert detail.status_code == 200 and "Caspian Fresh LLC" in detail.content.decode()
        assert 'id="watchlist-replace-form"' not in detail.content.decode()
        assert upload(client, HEADER + "Q1,Q,company,AZ,\n", name="q").status_code == 403
        assert replace(client, national, HEADER + "Q1,Q,company,AZ,\n").status_code == 403
        assert client.post(reverse("watchlist_delete", args=[national.pk]),
                           {"confirm": "on"}).status_code == 403
    national.refresh_from_db()
    assert national.entries_count == 2 and not Watchlist.objects.filter(name="q").exists()


@pytest.mark.parametrize("username", ["karachi.officer", "poti.officer", "programme.admin"])
def test_other_countries_and_the_programme_office_get_404(org, login, national, username):
    client = login(org[username])
    assert client.get(reverse("watchlist_detail", args=[national.pk])).status_code == 404
    assert "Caspian Fresh LLC" not in client.get(reverse("watchlists")).content.decode()
    assert "national.csv" not in client.get(reverse("watchlists")).content.decode()
    for name in ("watchlist_replace", "watchlist_delete"):
        response = client.post(reverse(name, args=[national.pk]),
                               {"confirm": "on", "file": csv_file(HEADER + "Q,Q,company,,\n")})
        assert response.status_code == 404
    national.refresh_from_db()
    assert national.entries_count == 2


def test_pages_need_a_login(client, national):
    client.logout()
    for url in (reverse("watchlists"), reverse("watchlist_detail", args=[national.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
