"""Who a caller is to a record (shared.identity.access): the parties the access tables are written
in, and what a list shows each caller."""

from __future__ import annotations

import pytest

from services.registry.access import RULES
from shared.identity.access import Gate, Party, SubjectRef, Visibility, check, parties_of
from shared.identity.auth import Caller, Role
from shared.refusals import Forbidden

TEA = SubjectRef("s1", "Thái Nguyên", "Xã Tân Cương", "05503")
OFFICER = Caller("o", "o", Role.COMMUNE_OFFICER, commune="05503", province="19")
"""The officer of Xã Tân Cương: its token carries the official codes
(``shared.ocop.localities``)."""


def test_parties_depend_on_the_role_and_on_whose_the_record_is() -> None:
    assert parties_of(None, TEA) == {Party.ANYONE}
    assert Party.OWNER in parties_of(Caller("p", "p", Role.PRODUCER, subject_id="s1"), TEA)
    assert Party.OWNER not in parties_of(Caller("p", "p", Role.PRODUCER, subject_id="s2"), TEA)
    # The commune is matched by its code; a record kept with names only, by the code its
    # names name without doubt (however they are written), or by none.
    assert Party.OWN_COMMUNE in parties_of(OFFICER, TEA)
    assert Party.OWN_COMMUNE in parties_of(OFFICER, SubjectRef("s1", "thai nguyen",
                                                               "XA TAN CUONG"))
    elsewhere = SubjectRef("s2", "Thái Nguyên", "Xã Phúc Xuân")
    assert Party.OWN_COMMUNE not in parties_of(OFFICER, elsewhere)
    same_name_other_province = SubjectRef("s3", "Phú Thọ", "Xã Tân Cương")
    assert Party.OWN_COMMUNE not in parties_of(OFFICER, same_name_other_province)
    son_ha = Caller("o", "o", Role.COMMUNE_OFFICER, commune="21289", province="51")
    assert Party.OWN_COMMUNE in parties_of(son_ha, SubjectRef("s4", "Quảng Ngãi", "Xã Sơn Hà"))
    assert Party.OWN_COMMUNE not in parties_of(son_ha, SubjectRef("s4", "Quảng Ngãi",
                                                                  "Xã Sơn Hạ"))
    assert Party.OWN_COMMUNE not in parties_of(son_ha, SubjectRef("s4", "Quảng Ngãi",
                                                                  "Xa Son Ha"))
    # a token from before codes, which names its commune, speaks for none
    named = Caller("o", "o", Role.COMMUNE_OFFICER, commune="Xã Tân Cương",
                   province="Thái Nguyên")
    assert Party.OWN_COMMUNE not in parties_of(named, TEA)
    assert parties_of(Caller("a", "a", Role.ADMIN), None) >= {Party.OFFICE, Party.SIGNED_IN}


def test_check_refuses_with_who_may() -> None:
    check(RULES["product.change"], Caller("p", "p", Role.PRODUCER, subject_id="s1"), TEA)
    with pytest.raises(Forbidden, match="the subject's own producer"):
        check(RULES["product.change"], OFFICER, TEA)
    check(RULES["product.cycle.decide"], OFFICER, TEA)


def test_a_list_shows_each_caller_what_it_may_see() -> None:
    gate = Gate(RULES)
    assert gate.visible("product.read", Caller("a", "a", Role.ADMIN)) == Visibility(True)
    assert gate.visible("product.read", Caller("p", "p", Role.PRODUCER, subject_id="s1")) \
        == Visibility(subject_id="s1")
    assert gate.visible("product.read", OFFICER) == Visibility(commune_code="05503")
    with pytest.raises(Forbidden):
        gate.visible("product.read", Caller("o", "o", Role.COMMUNE_OFFICER))
    with pytest.raises(Forbidden):
        gate.visible("history", Caller("m", "m", Role.COUNCIL_MEMBER))


def test_a_rule_that_depends_on_the_record_must_say_where_it_is() -> None:
    with pytest.raises(ValueError, match="scope"):
        Gate(RULES).rule("product.read")
