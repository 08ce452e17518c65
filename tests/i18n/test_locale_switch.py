"""The language switch: a cookie for visitors, the account's `locale` for users."""

from __future__ import annotations

import re

from sqlalchemy import select

from rareonco.store.tables.accounts import User

PASSWORD = "correct-horse-42"


def web_login(client, username: str) -> str:
    r = client.post("/login", data={"username": username, "password": PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/board" if username == "clinician" else "/", headers={"accept": "text/html"})
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_visitor_choice_is_a_cookie(anon) -> None:
    assert "Log in" in anon.get("/login").text
    assert "Войти" in anon.get("/login", headers={"accept-language": "ru-RU,ru;q=0.9"}).text
    r = anon.post("/locale", data={"lang": "ru", "next": "/login"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    page = anon.get("/login").text
    assert "Войти" in page and '<html lang="ru">' in page
    r = anon.post("/locale", data={"lang": "xx"}, follow_redirects=False)
    assert r.status_code == 422
    r = anon.post("/locale", data={"lang": "en", "next": "//evil.example"},
                  follow_redirects=False)
    assert r.headers["location"] == "/"


def test_user_choice_is_remembered_on_the_account(app, db) -> None:
    from fastapi.testclient import TestClient

    browser = TestClient(app)
    csrf = web_login(browser, "clinician")
    assert browser.post("/locale", data={"lang": "ru", "next": "/"},
                        follow_redirects=False).status_code == 403  # CSRF checked for users
    r = browser.post("/locale", data={"lang": "ru", "next": "/", "csrf_token": csrf},
                     follow_redirects=False)
    assert r.status_code == 303
    with db.session() as s:
        assert s.scalar(select(User.locale).where(User.username == "clinician")) == "ru"
    other = TestClient(app)  # another browser, no language cookie: the account decides
    web_login(other, "clinician")
    page = other.get("/", headers={"accept": "text/html"}).text
    assert "Пациенты" in page and "Новое направление" in page and "Консилиум" in page
    assert "врач" in page  # the role, translated
