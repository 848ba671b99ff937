"""The HTML report: self-contained, escaped, bilingual, overridable."""
from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from factory import evaluation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from cchc_rules.render.html import render_html


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    return evaluation(tmp_path_factory.mktemp("xss"), unit_name="<script>alert(1)</script>")


def test_self_contained_no_script_and_nothing_to_fetch(hostile) -> None:
    html = render_html(hostile)
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert re.findall(r'\b(?:src|href)="(?!#)([^"]*)"', html) == []
    assert re.findall(r"url\((?!#)", html) == []
    # The only absolute URL is the SVG namespace, which is a name, not a fetch.
    assert set(re.findall(r"https?://[^\s\"')]+", html)) == {"http://www.w3.org/2000/svg"}
    assert html.count("<svg") >= 2 + 3  # status + areas + a bullet per target


def test_unit_name_is_escaped_everywhere(hostile) -> None:
    html = render_html(hostile)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


def test_vietnamese_by_default_english_on_request(hostile) -> None:
    vi, en = render_html(hostile), render_html(hostile, lang="en")
    assert '<html lang="vi">' in vi and "Chưa đến hạn" in vi and "47,18%" in vi
    assert '<html lang="en">' in en and "Pending" in en and "47.18%" in en
    # Ruleset labels are shown as written, in both.
    for html in (vi, en):
        assert "Tỷ lệ hồ sơ trễ hẹn không quá 5%" in html
        assert "Hồ sơ tiếp nhận trực tuyến" in html


def test_same_input_same_bytes(hostile) -> None:
    assert render_html(hostile) == render_html(hostile)


def test_user_block_override_keeps_the_rest(hostile, tmp_path: Path) -> None:
    (tmp_path / "report.html.j2").write_text(
        '{% extends "default:report.html.j2" %}'
        '{% block cover %}<h1 id="own-cover">{{ ruleset.issuer }}</h1>{% endblock %}',
        encoding="utf-8")
    html = render_html(hostile, template_dir=tmp_path)
    assert '<h1 id="own-cover">UBND huyện Hàm Tân</h1>' in html
    assert 'id="summary"' in html and 'id="appendix"' in html
    assert 'class="cover"' not in html


def test_input_hashes_in_the_footer(hostile, tmp_path: Path) -> None:
    data = tmp_path / "figures.csv"
    data.write_text("unit,period,received\nham-tan,2024-Q1,4917\n", encoding="utf-8")
    html = render_html(hostile, inputs=[("data", data)])
    import hashlib
    assert hashlib.sha256(data.read_bytes()).hexdigest() in html
    for path in hostile.ruleset.files:
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() in html


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.add(tag)


def tags_of(html: str) -> set[str]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=30))
def test_no_unit_name_can_add_an_element(hostile, name: str) -> None:
    units = {uid: replace(u, name=name) for uid, u in hostile.figures.units.items()}
    ev = replace(hostile, figures=replace(hostile.figures, units=units))
    html = render_html(ev)
    assert tags_of(html) <= tags_of(render_html(hostile))
    assert str(escape(name)) in html


def test_every_internal_link_has_its_target(hostile) -> None:
    html = render_html(hostile)
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    links = set(re.findall(r'href="#([^"]+)"', html))
    assert links and links <= ids, links - ids
    assert len(re.findall(r'\bid="([^"]+)"', html)) == len(ids)  # ids are unique
