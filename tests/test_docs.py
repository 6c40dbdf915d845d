"""The documentation holds together: README.md and every page in docs/ link only to files that
exist, and to headings that exist in them; every page in docs/ opens with its title."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# [text](target): inline links and images; a target with a scheme (https:, mailto:) is not ours.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE = re.compile(r"`[^`\n]*`")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def prose(text: str) -> str:
    """The text without code blocks and code spans, where brackets are not links."""
    return CODE.sub("", FENCE.sub("", text))


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found, seen = set(), {}
    for heading in HEADING.findall(FENCE.sub("", path.read_text())):
        slug = anchor(heading)
        found.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
        seen[slug] = seen.get(slug, 0) + 1
    return found


def links(path: Path) -> list[str]:
    return [target for target in LINK.findall(prose(path.read_text())) if ":" not in target]


def test_the_readme_links_to_every_docs_page():
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in links(ROOT / "README.md")}

    assert PAGES[1:], "no page in docs/"
    assert [page.name for page in PAGES[1:] if page not in linked] == []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_each_relative_link_points_to_an_existing_file_and_heading(page):
    broken = []
    for target in links(page):
        name, _, fragment = target.partition("#")
        linked = (page.parent / name).resolve() if name else page
        if target.startswith("/") or not linked.is_file():
            broken.append(f"{target}: no such file")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            broken.append(f"{target}: no such heading in {linked.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)}: {broken}"


@pytest.mark.parametrize("page", PAGES[1:], ids=lambda page: page.relative_to(ROOT).as_posix())
def test_each_docs_page_opens_with_its_title(page):
    assert re.match(r"# \S", page.read_text())


def test_the_anchors_follow_github():
    assert anchor("Run the tests: `make test`") == "run-the-tests-make-test"
    assert anchor("The token endpoints and OAuth 1.0a") == "the-token-endpoints-and-oauth-10a"
    assert anchor("Usage counting, and what a crash can lose") == (
        "usage-counting-and-what-a-crash-can-lose"
    )
