"""The API as a client program meets it: token or session, scoped, one error shape."""

import pytest

from portcontrol.accounts.actions import do_issue_api_token, do_revoke_api_token
from portcontrol.manifests.models import Container
from portcontrol.testing.records import BAKU_CONTAINER, KARACHI_CONTAINER

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_for():
    def _token(user):
        return do_issue_api_token(user=user, name="test", acting_user=user)[1]
    return _token


def get(client, url, token=None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url, params, headers=headers)


def assert_error(response, status, code):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def test_openapi_schema_is_published(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/containers/" in schema["paths"]
    assert "/api/containers/{container_id}" in schema["paths"]


def test_no_credentials_is_401_in_the_error_shape(client, manifests):
    assert_error(get(client, "/api/containers/", q="MSCU"), 401, "unauthenticated")
    assert_error(get(client, "/api/containers/", token="pc_forged", q="MSCU"), 401,
                 "unauthenticated")


def test_token_search_and_detail(client, baku_officer, manifests, token_for):
    token = token_for(baku_officer)
    body = get(client, "/api/containers/", token=token, q=BAKU_CONTAINER).json()
    assert [r["number"] for r in body["results"]] == [BAKU_CONTAINER]
    detail = get(client, f"/api/containers/{body['results'][0]['id']}", token=token).json()
    assert detail["consignments"][0]["bl_number"] == "MSCUGYE000001"
    assert detail["consignments"][0]["goods"][0]["hs_code"] == "080390"
    assert [p["locode"] for p in detail["route"]] == ["ECGYE", "ESALG", "AZBAK"]
    assert detail["consignments"][0]["transshipment_arrival"] is None  # not given


def test_detail_gives_the_days_at_transshipment(client, org, manifests, token_for):
    token = token_for(org["karachi.officer"])
    [found] = get(client, "/api/containers/", token=token, q=KARACHI_CONTAINER).json()["results"]
    [cons] = get(client, f"/api/containers/{found['id']}", token=token).json()["consignments"]
    assert (cons["transshipment_arrival"], cons["transshipment_departure"]) == (
        "2026-11-03", "2026-11-09")


def test_session_auth_works_too(login, baku_officer, manifests):
    body = login(baku_officer).get("/api/containers/", {"q": "MSCU"}).json()
    assert BAKU_CONTAINER in [r["number"] for r in body["results"]]


@pytest.mark.parametrize("persona", ["baku.officer", "az.coordinator", "programme.admin"])
def test_other_countrys_container_is_not_found(client, org, manifests, token_for, persona):
    token = token_for(org[persona])
    body = get(client, "/api/containers/", token=token, q=KARACHI_CONTAINER).json()
    assert body["results"] == []
    body = get(client, "/api/containers/", token=token, q="MAEU").json()
    assert body["results"] == []
    pk = Container.objects.get(number=KARACHI_CONTAINER).pk
    assert_error(get(client, f"/api/containers/{pk}", token=token), 404, "not_found")


def test_bad_query_is_a_clear_400(client, baku_officer, manifests, token_for):
    token = token_for(baku_officer)
    err = assert_error(get(client, "/api/containers/", token=token, q="' OR 1=1 --"), 400,
                       "invalid")
    assert err["field"] == "q" and "not a container number" in err["message"]
    err = assert_error(get(client, "/api/containers/", token=token), 422, "invalid")
    assert "q" in err["field"]
    err = assert_error(get(client, "/api/containers/notanumber", token=token), 422, "invalid")
    assert "container_id" in err["field"]
    assert_error(get(client, "/api/no-such-endpoint", token=token), 404, "not_found")


def test_revoked_token_is_refused(client, baku_officer, manifests):
    row, clear = do_issue_api_token(user=baku_officer, name="t", acting_user=baku_officer)
    assert get(client, "/api/containers/", token=clear, q="MSCU").status_code == 200
    do_revoke_api_token(token=row, acting_user=baku_officer)
    assert_error(get(client, "/api/containers/", token=clear, q="MSCU"), 401, "unauthenticated")
