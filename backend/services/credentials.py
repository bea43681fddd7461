"""Password rules, one-time codes and argon2id checks shared by the account use cases."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import OneTimeCode, User
from ..db.models.accounts import CodePurpose
from ..domain.errors import N_, ValidationError

if TYPE_CHECKING:
    from .context import Context

MIN_PASSWORD_LENGTH = 8
# Unambiguous letters and digits (no 0/O, 1/I/L), easy to read out of an e-mail and type.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4


def check_password_rules(password: str, confirmation: str, *, field: str = "password") -> None:
    if password != confirmation:
        raise ValidationError(N_("The two passwords are not the same."), field=f"{field}_confirm")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            N_("The password must have at least {count} characters."),
            field=field,
            count=MIN_PASSWORD_LENGTH,
        )
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        raise ValidationError(N_("The password must contain both letters and digits."), field=field)


def new_one_time_code() -> str:
    """A code like ``K7QD-PX2M-9RTA`` (about 59 bits), shown once and stored only hashed."""
    groups = (
        "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    )
    return "-".join(groups)


def normalise_code(text: str) -> str:
    """Accept codes typed in lower case, without dashes or with spaces."""
    compact = "".join(c for c in text.upper() if c.isalnum())
    size = CODE_GROUP_LENGTH
    return "-".join(compact[i : i + size] for i in range(0, len(compact), size))


def verify(hasher: PasswordHasher, stored_hash: str | None, secret: str) -> bool:
    """True if ``secret`` matches; a missing hash still costs one verification (constant time
    for unknown users and users without a password)."""
    try:
        return hasher.verify(stored_hash or _dummy_hash(hasher), secret) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


_DUMMIES: dict[tuple[int, int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMIES:
        _DUMMIES[key] = hasher.hash(secrets.token_hex(16))
    return _DUMMIES[key]


CODE_LIFETIME = {
    CodePurpose.ACTIVATION: timedelta(days=7),
    CodePurpose.PASSWORD_RESET: timedelta(hours=1),
}


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """A one-time code to e-mail: the only time it exists in clear."""

    user_id: int
    email: str
    language: str
    code: str


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email.strip().lower())).first()


def issue_code(ctx: Context, user: User, purpose: CodePurpose) -> IssuedCode:
    code = new_one_time_code()
    ctx.session.add(
        OneTimeCode(
            user_id=user.id,
            purpose=purpose,
            code_hash=ctx.portal.password_hasher.hash(code),
            expires_at=ctx.now + CODE_LIFETIME[purpose],
        )
    )
    return IssuedCode(user.id, user.email, user.language, code)


def redeem_code(ctx: Context, user: User, text: str) -> OneTimeCode | None:
    candidates = ctx.session.scalars(
        select(OneTimeCode).where(
            OneTimeCode.user_id == user.id,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.expires_at > ctx.now,
        )
    ).all()
    typed = normalise_code(text)
    for candidate in candidates:
        if verify(ctx.portal.password_hasher, candidate.code_hash, typed):
            candidate.used_at = ctx.now
            return candidate
    return None


def normalise_email(email: str, *, field: str = "email") -> str:
    text = email.strip().lower()
    local, _, domain = text.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in text) or len(text) > 254:
        raise ValidationError(N_("“{value}” is not an e-mail address."), field=field, value=email)
    return text
