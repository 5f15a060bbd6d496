"""Password hashing (argon2id) and password policy."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import gettext as _, ngettext

# A short list of the passwords most often seen in breach corpora that would pass the
# length rule; the length rule does the rest.
COMMON_PASSWORDS = frozenset({
    "1234567890", "12345678910", "0123456789", "1q2w3e4r5t", "qwertyuiop", "1qaz2wsx3edc",
    "password12", "password123", "password1234", "passw0rd123", "iloveyou12", "princess12",
    "abcdefghij", "abc1234567", "qwerty1234", "qwerty12345", "letmein123", "welcome123",
    "football12", "baseball12", "sunshine12", "superman12", "1111111111", "0000000000",
    "aaaaaaaaaa", "azertyuiop", "motdepasse", "wachtwoord", "wachtwoord1", "wachtwoord123",
    "motdepasse1", "changeme123", "administrator", "trustno1234", "dragon1234", "monkey1234",
    "master1234", "shadow1234", "passwordpassword",
})


class PasswordService:
    def __init__(self, parameters: dict | None = None) -> None:
        self._hasher = PasswordHasher(**(parameters or {}))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True


def password_problems(password: str, *, min_length: int, email: str = "") -> list[str]:
    """What is wrong with `password`, as sentences to show, in the current language."""
    problems = []
    if len(password) < min_length:
        problems.append(ngettext("Use at least %(num)d character.",
                                 "Use at least %(num)d characters.", min_length))
    if len(password) > 256:
        problems.append(_("Use at most %(num)d characters.", num=256))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        problems.append(_("This password is too common; choose another."))
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and local in lowered:
        problems.append(_("Do not use your e-mail address in your password."))
    return problems
