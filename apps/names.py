"""What a valid App name is, and when two names are the same name.

End users read the App name on consent screens, so a name must not hide characters, reorder
text or borrow letters from another script to pass for a different App. The model applies
these rules, so forms, services, the admin and the API all get them.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

APP_NAME_TAKEN = "This App name is already taken. Choose another one."

# Control (Cc), format (Cf: zero-width and bidirectional controls), surrogate (Cs),
# private-use (Co) and unassigned (Cn) characters, and line or paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Unicode TR39 "highly restrictive": Latin may be written with the Han-based scripts of
# Japanese, Chinese and Korean; any other mix of scripts is refused.
ALLOWED_SCRIPT_MIXES = (
    frozenset({"LATIN", "CJK", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "CJK", "BOPOMOFO"}),
    frozenset({"LATIN", "CJK", "HANGUL"}),
)
_SPACES = re.compile(r"\s+")


def normalize_app_name(name: str) -> str:
    """The name as stored: Unicode NFKC (full-width and compatibility forms folded)."""
    return unicodedata.normalize("NFKC", name)


def app_name_key(name: str) -> str:
    """The form two names share when they are the same name: NFKC, case folded, without
    invisible characters, spaces collapsed."""
    visible = "".join(
        ch for ch in normalize_app_name(name) if unicodedata.category(ch) not in REFUSED_CATEGORIES
    )
    folded = unicodedata.normalize("NFKC", visible.casefold())
    return _SPACES.sub(" ", folded).strip()


def _script(ch: str) -> str | None:
    """The script of a letter, from its Unicode name; None for characters any script uses."""
    if not unicodedata.category(ch).startswith("L"):
        return None  # digits, spaces, punctuation, symbols and combining marks
    word = unicodedata.name(ch, "UNKNOWN").split(" ")[0]
    return word.split("-")[0]  # KATAKANA-HIRAGANA PROLONGED SOUND MARK


def validate_app_name(name: str) -> None:
    """Refuse invisible or unassigned characters and letters of mixed scripts."""
    for ch in name:
        if unicodedata.category(ch) in REFUSED_CATEGORIES:
            raise ValidationError(
                f"Remove the invisible or control character U+{ord(ch):04X}: "
                "App names use visible letters, digits, spaces and punctuation only.",
                code="app_name_character",
            )
    scripts = {script for ch in name if (script := _script(ch))}
    if len(scripts) > 1 and not any(scripts <= mix for mix in ALLOWED_SCRIPT_MIXES):
        raise ValidationError(
            "Write the App name in one alphabet: it mixes "
            f"{' and '.join(sorted(s.title() for s in scripts))} letters, which can make it "
            "look like another App's name.",
            code="app_name_mixed_scripts",
        )
