"""Every word a person reads, from one gettext catalog per language: Vietnamese (the
default) and English, ``locale/<lang>/LC_MESSAGES/ocop.po``.

A message's id is its English text, not a key. A page's template and a module read as
what they show; ``pybabel extract`` finds the messages by gettext's usual names with no
keyword list; a message not yet translated still reads as English rather than as a key;
and two places saying the same English share one entry, so a concept gets one Vietnamese
term everywhere (the DOMAIN.md glossary) instead of one per page. The price: rewording the
English changes the id, so ``make messages`` marks the translation fuzzy until a translator
confirms it (``tests/unit/test_messages.py`` fails meanwhile). The English catalog repeats
the ids (``make messages`` fills them in), where a wording can be corrected before the
code's is.

Parameters are named, ``%(name)s``, in Python as in templates (Jinja2's newstyle gettext),
and every message is formatted, with or without them: a literal percent sign is ``%%``.

The catalogs are text under version control, compiled in memory as this module is imported
(Babel: ``read_po``, ``write_mo``, ``Translations``): no build step, no binary committed,
and a broken catalog stops a service at start, not on the page that needs it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import escape

from shared.i18n.language import LANGUAGES

LOCALE = Path(__file__).parent / "locale"
DOMAIN = "ocop"
DEFAULT = "vi"


def catalog_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def compiled(po: IO[bytes], lang: str) -> Translations:
    """A catalog's text compiled in memory."""
    mo = io.BytesIO()
    write_mo(mo, read_po(po, locale=lang))  # without fuzzy entries: their English is shown
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)


def _loaded(lang: str) -> Translations:
    with catalog_path(lang).open("rb") as po:
        return compiled(po, lang)


@dataclass(frozen=True)
class Term:
    """A parameter that is itself a message (a stage's name, a field's reason): said in the
    language of the message it fills. Its text is marked where it is written (``N_``)."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Given:
    """A parameter that the data itself says in each language (a criterion's name, as its
    table was loaded): not in the catalog, said as given for the message's language."""

    said: Mapping[str, str]


@dataclass(frozen=True)
class Words:
    """The messages in one language, their named parameters filled in."""

    lang: str
    translations: Translations

    def gettext(self, message: str, /, **params: object) -> str:
        return self.translations.gettext(message) % self._filled(params)

    def _filled(self, params: dict[str, object]) -> dict[str, object]:
        return {name: self.gettext(value.message, **value.params) if isinstance(value, Term)
                else value.said[self.lang] if isinstance(value, Given) else value
                for name, value in params.items()}

    def ngettext(self, singular: str, plural: str, num: int, /, **params: object) -> str:
        """The form for ``num`` (``%(num)s`` in the message), as Jinja2's ngettext."""
        return self.translations.ngettext(singular, plural, num) % self._filled(
            {"num": num, **params})

    def pgettext(self, context: str, message: str, /, **params: object) -> str:
        """A message whose English alone is ambiguous (a unit's symbol), told apart by
        ``context``."""
        return str(self.translations.pgettext(context, message)) % self._filled(params)


WORDS = {lang: Words(lang, _loaded(lang)) for lang in LANGUAGES}


def words(lang: str) -> Words:
    """The messages in ``lang``: one of ``shared.i18n.language.LANGUAGES``."""
    return WORDS[lang]


def listed(messages: Sequence[str]) -> Term:
    """Several messages (names marked with ``N_``) as one parameter: said one after another,
    comma-separated, each in the language of the message it fills. Not empty."""
    *others, last = messages
    said = Term(last)
    for message in reversed(others):
        said = Term(N_("%(first)s, %(rest)s"), {"first": Term(message), "rest": said})
    return said


def in_every_language(message: str, /, **params: object) -> dict[str, str]:
    """``message`` in each language, for what says both (a JSON answer, the certificate).
    The message is marked where it is written (``N_``): extraction knows gettext's names
    only."""
    return {lang: words(lang).gettext(message, **params) for lang in LANGUAGES}


def both(said: Mapping[str, str]) -> str:
    """Words said in each language, as a document for readers of both says them once:
    Vietnamese, then English (``"vi / en"``: the certificate, the annual summary)."""
    return " / ".join(said[lang] for lang in LANGUAGES)


def in_both(message: str, /, **params: object) -> str:
    """``message`` said once for readers of both languages (``both``)."""
    return both(in_every_language(message, **params))


def N_(message: str) -> str:
    """Marks a message where it is named (a table of step names) for ``pybabel extract``
    (gettext's name for the marker); it is translated where it is shown."""
    return message


# Templates: the i18n extension's ``_()``, ``gettext()``, ``ngettext()`` and ``pgettext()``
# (newstyle: named parameters) in the language of the page being rendered, its ``lang``.
# Installed once per environment rather than per request: the environment is shared by
# every request, so translations installed into it for one page would be another's too.

def _page_words(context: Context) -> Words:
    return words(context.get("lang") or DEFAULT)


def _text(context: Context, translated: str) -> str:
    """A translation is text, not markup: escaped as any value on an HTML page (Jinja2
    would trust it), so the catalogs cannot add markup; its parameters are escaped too."""
    return escape(translated) if context.eval_ctx.autoescape else translated


@pass_context
def _gettext(context: Context, message: str) -> str:
    return _text(context, _page_words(context).translations.gettext(message))


@pass_context
def _ngettext(context: Context, singular: str, plural: str, num: int) -> str:
    return _text(context, _page_words(context).translations.ngettext(singular, plural, num))


@pass_context
def _pgettext(context: Context, message_context: str, message: str) -> str:
    return _text(context, str(_page_words(context).translations.pgettext(message_context,
                                                                         message)))


def install(env: Environment) -> None:
    """Give ``env``'s templates the catalogs: each page in its context's ``lang``."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, newstyle=True)


def fill_english(path: Path) -> None:
    """``make messages``: each English entry new or reworded since the last run says its
    id (the ids are the English text)."""
    with path.open("rb") as po:
        catalog = read_po(po, locale="en")
    for message in catalog:
        said = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and (not all(said) or message.fuzzy):
            message.string = message.id
            message.flags.discard("fuzzy")
    with path.open("wb") as po:
        write_po(po, catalog, width=0, include_previous=False)

