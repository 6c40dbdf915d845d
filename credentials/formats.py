"""What each kind of key or token looks like: a kind prefix, a base62 body, a CRC32 checksum.

GitHub's scheme: a scanner recognises a leaked value by its prefix, and a typo fails the
checksum before any database query. docs/credential-formats.md lists one regular expression per
kind.
"""

import re
import secrets
import zlib
from dataclasses import dataclass, field

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BODY_LENGTH = 32  # 32 base62 characters carry 190 bits, more than the 160 the policy asks for
CHECKSUM_LENGTH = 6  # 62**6 > 2**32: any CRC32 fits
HINT_LENGTH = 4


@dataclass(frozen=True)
class Format:
    prefix: str
    # Compiled once: one regular expression checks prefix, length and alphabet on the hot path.
    shape: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        tail = BODY_LENGTH + CHECKSUM_LENGTH
        object.__setattr__(
            self, "shape", re.compile(rf"{re.escape(self.prefix)}[0-9A-Za-z]{{{tail}}}")
        )

    @property
    def length(self) -> int:
        return len(self.prefix) + BODY_LENGTH + CHECKSUM_LENGTH

    @property
    def pattern(self) -> str:
        """The regular expression a secret scanner uses to find this kind of value."""
        return rf"\b{self.prefix}[0-9A-Za-z]{{{BODY_LENGTH + CHECKSUM_LENGTH}}}\b"


API_KEY = Format("ptc_ck_")
API_KEY_SECRET = Format("ptc_cs_")
BEARER_TOKEN = Format("ptc_bt_")
ACCESS_TOKEN = Format("ptc_at_")
ACCESS_TOKEN_SECRET = Format("ptc_as_")
CLIENT_SECRET = Format("ptc_os_")
# The OAuth 2.0 Client ID is public: a prefix outside the ptc_ family keeps scanners quiet.
CLIENT_ID = Format("pci_")


class Plaintext(str):
    """A value just generated, on its way to the shown-once dialog. Its repr, which is what
    debug logs, error reports and tracebacks print, shows only the hint."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{self[: self.find('_', 4) + 1]}…{self[-HINT_LENGTH:]}>"


def checksum(text: str) -> str:
    """CRC32 of `text` in base62, left-padded to CHECKSUM_LENGTH characters."""
    number = zlib.crc32(text.encode("ascii"))
    digits = []
    for _ in range(CHECKSUM_LENGTH):
        number, digit = divmod(number, 62)
        digits.append(BASE62[digit])
    return "".join(reversed(digits))


# Random bytes to base62 characters: a byte below 248 (4 x 62) is one character, uniformly
# (each character has exactly four bytes); a byte of 248 or more is dropped (rejection sampling).
_ACCEPTED = 4 * len(BASE62)
_TO_BASE62 = bytes(ord(BASE62[byte % 62]) for byte in range(_ACCEPTED)) + bytes(256 - _ACCEPTED)
_REJECTED = bytes(range(_ACCEPTED, 256))
_DRAWN = BODY_LENGTH + 8  # 1 byte in 32 is dropped: 8 spare bytes almost always suffice


def generate(fmt: Format) -> Plaintext:
    """A new value of this format from the operating system's CSPRNG.

    Every body equally likely, as with one `secrets.choice` per character: each character is
    a CSPRNG byte mapped to base62 in C (bytes.translate), rejecting the 8 byte values that
    would favour some characters, for a fraction of the CPU of writing one large random number
    in base62 (the token endpoint makes two values a request)."""
    body = b""
    while len(body) < BODY_LENGTH:
        body += secrets.token_bytes(_DRAWN).translate(_TO_BASE62, _REJECTED)
    text = body[:BODY_LENGTH].decode("ascii")
    return Plaintext(f"{fmt.prefix}{text}{checksum(fmt.prefix + text)}")


def has_shape(fmt: Format, value: str) -> bool:
    """Right prefix, length and alphabet: a value that could be one of ours."""
    return fmt.shape.fullmatch(value) is not None


def has_valid_checksum(value: str) -> bool:
    """The last CHECKSUM_LENGTH characters are the CRC32 of the rest: a typo fails here.

    Decodes the checksum two characters at a time, as this runs on every API call; the checksum
    is no secret, so the comparison need not be constant-time."""
    tail = value[-CHECKSUM_LENGTH:]
    try:
        number = _PAIRS[tail[0:2]] * 62**4 + _PAIRS[tail[2:4]] * 62**2 + _PAIRS[tail[4:6]]
    except KeyError:
        return False
    return number == zlib.crc32(value[:-CHECKSUM_LENGTH].encode("ascii"))


_PAIRS = {a + b: BASE62.index(a) * 62 + BASE62.index(b) for a in BASE62 for b in BASE62}


def hint(value: str) -> str:
    """The last four characters: what the portal shows so a developer can match a saved value."""
    return value[-HINT_LENGTH:]


# A developer's personal access token for the portal REST API: it acts as its account, so it
# has its own prefix, routed to its own lookup.
PERSONAL_ACCESS_TOKEN = Format("ptc_pa_")

# The authorization server's values (oauth/): one prefix per kind, so a presented value is
# routed to its table by its prefix before any query.
OAUTH2_ACCESS_TOKEN = Format("ptc_ua_")  # a user's OAuth 2.0 access token (2 hours)
OAUTH2_REFRESH_TOKEN = Format("ptc_ur_")  # a user's OAuth 2.0 refresh token (rotating)
AUTHORIZATION_CODE = Format("ptc_ac_")  # OAuth 2.0 authorization code (30 seconds, single use)
OAUTH1_USER_TOKEN = Format("ptc_ut_")  # a user's OAuth 1.0a access token
OAUTH1_USER_TOKEN_SECRET = Format("ptc_us_")
REQUEST_TOKEN = Format("ptc_rq_")  # OAuth 1.0a request token (15 minutes, single use)
REQUEST_TOKEN_SECRET = Format("ptc_rs_")
OAUTH1_VERIFIER = Format("ptc_ov_")  # OAuth 1.0a verifier sent to a callback (oob: a PIN)
RESOURCE_SERVER_KEY = Format("ptc_rk_")  # an operator's resource server, for introspection
PIN_DIGITS = 7


class Pin(Plaintext):
    """A PIN just generated: too short for a hint, so its repr shows none of it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<PIN>"


def generate_pin() -> Pin:
    """The 7-digit PIN an `oob` client's user types in: the verifier of the PIN flow. Short by
    design (people type it); 15 minutes and five attempts per request token bound guessing."""
    return Pin(f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}")
