from tests.world import PASSWORD


def test_it_speaks_vietnamese_by_default_and_english_on_request(world, client):
    client.login(username="canbo.a", password=PASSWORD)
    assert "Cây tổ chức đảng" in client.get("/org/").content.decode()
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/org/"})
    assert resp.status_code == 302
    page = client.get("/org/").content.decode()
    assert "Party unit tree" in page and 'lang="en"' in page
    assert "Đảng bộ xã Đồng Tâm" in page  # data stays as recorded
