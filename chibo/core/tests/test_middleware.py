from tests.world import PASSWORD


def test_it_refuses_nul_characters_with_a_clear_message(world, client):
    client.login(username="canbo.a", password=PASSWORD)
    api = client.get("/api/v1/audit/", {"action": "a\x00b"})
    assert api.status_code == 422 and "NUL" in api.json()["detail"]
    page = client.get("/org/", {"q": "\x00"})
    assert page.status_code == 400
    body = client.post(
        "/api/v1/units/restructure/preview", '{"name": "a\\u0000"}', content_type="application/json"
    )
    assert body.status_code == 422
    assert client.get("/org/", {"q": "quang lam"}).status_code == 200
