"""Việt Nam's localities by their official codes: the 34 provinces and cities and their
3,321 communes, wards and special zones of two-level local government (from 1 July 2025),
as the ``vietnam-provinces`` package lists them.

A locality is identified by its codes, never by its name: names repeat across provinces,
and within one province two communes may differ only in their diacritics ("Xã Sơn Hà" and
"Xã Sơn Hạ" in Quảng Ngãi). What people type (any case, with or without diacritics or the
"Xã"/"Phường" prefix) is taken only when it names one unit of the province; otherwise it
is refused with the candidates, so the caller writes the name exactly or gives the code.
Records made before 1 July 2025 name the commune as it is now, and keep their former
district as written (``services.registry.subjects.rules.check_district``).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province, Ward

from shared.i18n.text import fold
from shared.refusals import N_, BadRequest, FieldError, Term

PROVINCE_DIGITS, COMMUNE_DIGITS = 2, 5
"""Official codes are written zero-padded: province '01', commune '00004'."""
_PROVINCE_PREFIX = re.compile(r"^(tỉnh|thành phố|tp\.?|tinh|thanh pho|tp) +")
_COMMUNE_PREFIX = re.compile(r"^(xã|phường|đặc khu|xa|phuong|dac khu) +")


@dataclass(frozen=True)
class Locality:
    """A commune (or ward, or special zone) and its province, by code and official name."""

    province_code: str
    province: str
    commune_code: str
    commune: str


@dataclass(frozen=True)
class _Unit:
    code: str
    name: str
    exact: frozenset[str]
    """Its name as written (case aside), with and without the unit's prefix."""
    folded: frozenset[str]
    """The same without diacritics (``shared.i18n.text.fold``)."""


def _written(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _unit(code: str, name: str, prefix: re.Pattern[str]) -> _Unit:
    shown = " ".join(name.split())  # the package's names carry stray double spaces
    written = _written(shown)
    folded = fold(shown)
    return _Unit(code, shown, frozenset({written, prefix.sub("", written)}),
                 frozenset({folded, prefix.sub("", folded)}))


@dataclass(frozen=True)
class _List:
    provinces: dict[str, _Unit]
    communes: dict[str, _Unit]
    """By code, over the whole country (commune codes are unique nationwide)."""
    province_of: dict[str, str]
    """A commune's province code."""
    by_province: dict[str, list[_Unit]]


@cache
def _the_list() -> _List:
    provinces = {u.code: u for u in (_unit(f"{p.code:0{PROVINCE_DIGITS}d}", p.name,
                                           _PROVINCE_PREFIX) for p in Province.iter_all())}
    communes: dict[str, _Unit] = {}
    province_of: dict[str, str] = {}
    by_province: dict[str, list[_Unit]] = {code: [] for code in provinces}
    for ward in Ward.iter_all():
        code = f"{ward.code:0{COMMUNE_DIGITS}d}"
        communes[code] = unit = _unit(code, ward.name, _COMMUNE_PREFIX)
        province_of[code] = f"{ward.province_code:0{PROVINCE_DIGITS}d}"
        by_province[province_of[code]].append(unit)
    return _List(provinces, communes, province_of, by_province)


def resolve(*, province: str | None = None, commune: str | None = None,
            province_code: str | None = None, commune_code: str | None = None) -> Locality:
    """The locality named by codes or names (codes win; where both are given they must
    agree). BadRequest, naming the field and the candidates, for an unknown or ambiguous
    name, an unknown code, or codes and names that disagree."""
    the = _the_list()
    if commune_code is not None:
        code = _code(commune_code, COMMUNE_DIGITS, "commune_code")
        if code not in the.communes:
            raise _refused("commune_code", N_("no commune or ward has the code '%(code)s'"),
                           code=commune_code)
        held = the.province_of[code]
        if province_code is not None or province is not None:
            named = _province(province, province_code)
            if named.code != held:
                raise _refused("commune_code", N_("%(commune)s (%(code)s) is in %(held)s, not "
                                                  "%(named)s"), commune=the.communes[code].name,
                               code=code, held=the.provinces[held].name, named=named.name)
        unit = the.communes[code]
        if commune is not None and _matches(commune, the.by_province[held]) != [unit]:
            raise _refused("commune", N_("commune_code %(code)s is %(unit)s, not '%(typed)s'"),
                           code=code, unit=unit.name, typed=commune)
        return _locality(held, unit)
    if commune is None:
        raise _refused("commune", N_("give the commune or ward (commune) or its code "
                                     "(commune_code)"))
    held_in = _province(province, province_code)
    units = the.by_province[held_in.code]
    found = _matches(commune, units)
    if len(found) == 1:
        return _locality(held_in.code, found[0])
    if found:
        raise _refused("commune", N_("'%(typed)s' could be several communes or wards of "
                                     "%(province)s: %(found)s; write the name exactly, with "
                                     "its diacritics, or give its commune_code"),
                       refused_as="ambiguous-locality", typed=commune, province=held_in.name,
                       found=_listed(found))
    near = _near(commune, units)
    raise _refused("commune", N_("'%(typed)s' is not a commune or ward of %(province)s since "
                                 "1 July 2025%(suggested)s; give the commune it belongs to "
                                 "now, or its commune_code"),
                   refused_as="unknown-locality", typed=commune, province=held_in.name,
                   suggested=_suggested(near))


def provinces() -> list[tuple[str, str]]:
    """(code, official name) of the 34 provinces and cities, in the order people look one
    up in a list: by name, "Thành phố" aside, diacritics aside."""
    units = _the_list().provinces.values()
    return [(u.code, u.name) for u in sorted(units, key=lambda u: min(u.folded, key=len))]


def known(province: str, commune: str) -> Locality | None:
    """The locality of names stored before codes were kept, or None when they do not name
    exactly one (a record that matches no one, rather than the wrong one)."""
    try:
        return resolve(province=province, commune=commune)
    except BadRequest:
        return None


def _province(name: str | None, code: str | None) -> _Unit:
    the = _the_list()
    if code is not None:
        held = _code(code, PROVINCE_DIGITS, "province_code")
        if held not in the.provinces:
            raise _refused("province_code", N_("no province or city has the code '%(code)s'"),
                           code=code)
        unit = the.provinces[held]
        if name is not None and _matches(name, list(the.provinces.values()),
                                         _PROVINCE_PREFIX) != [unit]:
            raise _refused("province", N_("province_code %(code)s is %(unit)s, not "
                                          "'%(typed)s'"), code=held, unit=unit.name, typed=name)
        return unit
    if name is None:
        raise _refused("province", N_("give the province (province) or its code "
                                      "(province_code)"))
    units = list(the.provinces.values())
    found = _matches(name, units, _PROVINCE_PREFIX)
    if len(found) == 1:
        return found[0]
    if found:  # no two provinces fold alike today; kept for a list where they would
        raise _refused("province", N_("'%(typed)s' could be several provinces: %(found)s"),
                       refused_as="ambiguous-locality", typed=name, found=_listed(found))
    near = _near(name, units)
    raise _refused("province", N_("'%(typed)s' is not one of Việt Nam's 34 provinces and "
                                  "cities since 1 July 2025%(suggested)s"),
                   refused_as="unknown-locality", typed=name, suggested=_suggested(near))


def _matches(typed: str, units: Sequence[_Unit], prefix: re.Pattern[str] | None = None
             ) -> list[_Unit]:
    """The units ``typed`` names: those written exactly so (case aside) if there is just
    one, else those it names once diacritics are set aside. ``prefix``: a prefix typed
    that may be left out (a province's "Tỉnh", "TP"; a commune's says which unit it is)."""
    written = {_written(typed)}
    folded = {fold(typed)}
    if prefix is not None:
        written |= {prefix.sub("", w) for w in written}
        folded |= {prefix.sub("", f) for f in folded}
    exact = [u for u in units if written & u.exact]
    if len(exact) == 1:
        return exact
    return [u for u in units if folded & u.folded] or exact


def _near(typed: str, units: Iterable[_Unit]) -> list[_Unit]:
    by_key = {key: u for u in units for key in u.folded}
    close = difflib.get_close_matches(fold(typed), list(by_key), n=3, cutoff=0.8)
    return list(dict.fromkeys(by_key[key] for key in close))


def _code(code: str, digits: int, field: str) -> str:
    bare = code.strip()
    if not bare.isascii() or not bare.isdigit() or len(bare) > digits:
        raise _refused(field, N_("an official code has at most %(digits)s digits"),
                       digits=digits)
    return bare.zfill(digits)


def _locality(province_code: str, unit: _Unit) -> Locality:
    return Locality(province_code, _the_list().provinces[province_code].name, unit.code,
                    unit.name)


def _listed(units: Iterable[_Unit]) -> str:
    return ", ".join(f"{u.name} ({u.code})" for u in units)


def _suggested(units: list[_Unit]) -> Term | str:
    return Term(N_(" (did you mean: %(units)s?)"), {"units": _listed(units)}) if units else ""


def _refused(field: str, message: str, *, refused_as: str = "invalid-field",
             **params: object) -> BadRequest:
    """``shared.refusals.invalid``'s refusal under the code ``refused_as``."""
    return BadRequest(N_("%(field)s: %(reason)s"), code=refused_as,
                      errors=[FieldError(field, message, params)], field=field,
                      reason=Term(message, params))
