"""The user's interface language, remembered on their account."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rareonco.errors import InvalidInput
from rareonco.i18n import STAFF_LOCALES, normalise
from rareonco.security.audit import Actor
from rareonco.store.tables.accounts import User


def remember_locale(session: Session, actor: Actor, locale: str) -> str:
    """Store `locale` as the actor's language; staff pages exist in STAFF_LOCALES only."""
    lang = normalise(locale)
    if lang not in STAFF_LOCALES:
        raise InvalidInput("lang", "one of " + ", ".join(STAFF_LOCALES))
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is not None and user.locale != lang:
        user.locale = lang
        session.flush()
    return lang
