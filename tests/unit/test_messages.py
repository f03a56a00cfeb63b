"""The message catalogs (``shared/i18n``, ``shared/i18n/locale``): every message translated
in both languages and none missing from them; the words said in Python and on a page in the
language asked for, their named parameters filled in."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po
from jinja2 import DictLoader, Environment, select_autoescape

from services.traceability.api.scan import STEP_NAMES, UNITS_IN
from services.web.front import unit_name
from shared import i18n
from shared.i18n.language import LANGUAGES
from shared.ocop import vocabulary

ROOT = Path(__file__).resolve().parents[2]
MessageKey = tuple[str | None, str | tuple[str, ...]]


def catalog(lang: str) -> Catalog:
    with i18n.catalog_path(lang).open("rb") as po:
        return read_po(po, locale=lang)


def held(lang: str) -> set[MessageKey]:
    return {(m.context, m.id) for m in catalog(lang) if m.id}


def said_by_the_code() -> set[MessageKey]:
    """What ``make messages`` extracts, by babel.cfg, from services/ and shared/."""
    with (ROOT / "babel.cfg").open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    return {(context, message) for folder in ("services", "shared")
            for _, _, message, _, context in extract_from_dir(ROOT / folder, method_map,
                                                              options_map)}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_confirmed(lang: str) -> None:
    untranslated = [m.id for m in catalog(lang) if m.id and (
        m.fuzzy or not all(m.string if isinstance(m.string, tuple) else (m.string,)))]
    assert not untranslated, f"{lang}: translate (and unmark fuzzy) {untranslated}"
    # a translation names the parameters its message does (python-format)
    wrong = [(m.id, [str(e) for e in errors]) for m, errors in catalog(lang).check()]
    assert not wrong, wrong


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalogs_hold_what_the_code_says_and_nothing_else(lang: str) -> None:
    code, catalogued = said_by_the_code(), held(lang)
    assert not code - catalogued, f"run make messages: {lang} lacks {code - catalogued}"
    assert not catalogued - code, f"run make messages: {lang} keeps {catalogued - code}"


def test_the_extraction_reads_the_code() -> None:
    """Else the test above would prove nothing: a template's message, a marked one, one with
    a context."""
    assert {(None, "The batch's journey"), (None, "Measurement"),
            ("unit symbol", "t")} <= said_by_the_code()


def test_the_scan_page_names_a_batchs_steps_as_the_producers_workspace_does() -> None:
    """One term per concept: the step a producer records as "Vận chuyển" is not "Xuất hàng"
    to the shopper who scans the batch."""
    def said(names: dict[str, str]) -> dict[str, list[str]]:
        return {step: [i18n.words(lang).gettext(name) for lang in LANGUAGES]
                for step, name in names.items()}

    assert said(STEP_NAMES) == said(vocabulary.STEP_NAMES)
    assert said(STEP_NAMES)["shipping"] == ["Vận chuyển", "Shipping"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_workspace_writes_a_batchs_units_as_the_scan_page_does(lang: str) -> None:
    """Litres and tonnes are "L" and "t" in English on both, not "litres" in one."""
    for code in ("KGM", "LTR", "TNE"):
        assert unit_name(code, lang) == UNITS_IN[lang][code], code


def words(lang: str) -> i18n.Words:
    """Words of a catalog of the test's own."""
    catalog = Catalog(locale=lang)
    if lang == "vi":
        catalog.add("Batch %(lot)s", "Lô %(lot)s")
        catalog.add(("%(num)s batch", "%(num)s batches"), ("%(num)s lô",))
        catalog.add("t", "tấn", context="unit symbol")
        catalog.add("Reported", "Đã <báo> 'cáo'")
        catalog.add("Unconfirmed", "Chưa xác nhận", flags=["fuzzy"])
    po = io.BytesIO()
    write_po(po, catalog)
    po.seek(0)
    return i18n.Words(lang, i18n.compiled(po, lang))


def test_a_message_is_said_in_the_language_asked_with_its_parameters() -> None:
    vi, en = words("vi"), words("en")
    assert vi.gettext("Batch %(lot)s", lot="TC-1") == "Lô TC-1"
    assert en.gettext("Batch %(lot)s", lot="TC-1") == "Batch TC-1"  # the id is the English
    assert [vi.ngettext("%(num)s batch", "%(num)s batches", n) for n in (1, 3)] == [
        "1 lô", "3 lô"]
    assert [en.ngettext("%(num)s batch", "%(num)s batches", n) for n in (1, 3)] == [
        "1 batch", "3 batches"]
    assert vi.pgettext("unit symbol", "t") == "tấn" and vi.gettext("t") == "t"
    # a fuzzy translation is not confirmed: not said
    assert vi.gettext("Unconfirmed") == "Unconfirmed"


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Environment:
    monkeypatch.setattr(i18n, "WORDS", {lang: words(lang) for lang in LANGUAGES})
    env = Environment(autoescape=select_autoescape(), loader=DictLoader({
        "page.html": "{{ _('Batch %(lot)s', lot=lot) }}|{{ gettext('Reported') }}|"
                     "{{ ngettext('%(num)s batch', '%(num)s batches', 3) }}|"
                     "{{ pgettext('unit symbol', 't') }}|"
                     "{% for n in [1] %}{{ _('Batch %(lot)s', lot=n) }}{% endfor %}"}))
    i18n.install(env)
    return env


def test_a_page_speaks_its_lang(page: Environment) -> None:
    template = page.get_template("page.html")
    assert template.render(lang="vi", lot="<b>") == (
        "Lô &lt;b&gt;|Đã &lt;báo&gt; &#39;cáo&#39;|3 lô|tấn|Lô 1")
    assert template.render(lang="en", lot="A") == "Batch A|Reported|3 batches|t|Batch 1"
    assert template.render(lot="A").startswith("Lô A|")  # Vietnamese unless told
