"""GS1 Digital Link compression, decompressed (``services/traceability/scans/compression``)
against GS1's own toolkit: each compressed form below is what ``GS1DigitalLinkToolkit.js``
(gs1/GS1DL-resolver-testsuite @ e3485a5, its ``compressGS1DigitalLink`` with and without
its optimisations) made of the uncompressed link, and the AIs its
``extractFromCompressedGS1digitalLink`` read back."""

from __future__ import annotations

import pytest

from services.traceability.scans.compression import NotCompressed, decompress

GS1_TOOLKIT = [
    ('/01/08934563138165',
     'ARBAeuyU6g',
     {'01': '08934563138165'}),
    ('/01/08934563138165',
     'ARBAeuyU6g',
     {'01': '08934563138165'}),
    ('/01/08934563138165/10/TC-31',
     'CxBAeuyU6sqYX2-o',
     {'10': 'TC-31', '01': '08934563138165'}),
    ('/01/08934563138165/10/TC-31',
     'ARBAeuyU6iDKmF9vq',
     {'10': 'TC-31', '01': '08934563138165'}),
    ('/01/08934563138165/10/TC-31/21/AZAKAJ57NJGRN2XS',
     'CxBAeuyU6sqYX2-pC4AMgFAE89mkjIm7LpA',
     {'10': 'TC-31', '21': 'AZAKAJ57NJGRN2XS', '01': '08934563138165'}),
    ('/01/08934563138165/10/TC-31/21/AZAKAJ57NJGRN2XS',
     'ARBAeuyU6iDKmF9vqQuADIBQBPPZpIyJuy6Q',
     {'10': 'TC-31', '21': 'AZAKAJ57NJGRN2XS', '01': '08934563138165'}),
    ('/01/08934563138165/22/V1/10/ab12/21/x%2Fy',
     'ChBAeuyU6sSuogSVYkQwfhf5',
     {'10': 'ab12', '21': 'x/y', '22': 'V1', '01': '08934563138165'}),
    ('/01/08934563138165/22/V1/10/ab12/21/x%2Fy',
     'ARBAeuyU6iBJViRDB-F_kiYldQ',
     {'10': 'ab12', '21': 'x/y', '22': 'V1', '01': '08934563138165'}),
    ('/01/09506000134352/10/ABC123?17=290131',
     'CxFKk4XBoI1XgkYujapg',
     {'10': 'ABC123', '17': '290131', '01': '09506000134352'}),
    ('/01/09506000134352/10/ABC123?17=290131',
     'ARFKk4XBoCCNV4JGLo2qY',
     {'10': 'ABC123', '17': '290131', '01': '09506000134352'}),
    ('/01/08934563138165/10/0123456789abcdef',
     'CxBAeuyU6mACRorPE1eb3g',
     {'10': '0123456789abcdef', '01': '08934563138165'}),
    ('/01/08934563138165/10/0123456789abcdef',
     'ARBAeuyU6iBgAkaKzxNXm94',
     {'10': '0123456789abcdef', '01': '08934563138165'}),
    ('/01/08934563138165/21/123456',
     'DBBAeuyU6gw8SA',
     {'21': '123456', '01': '08934563138165'}),
    ('/01/08934563138165/21/123456',
     'ARBAeuyU6kIMPEgA',
     {'21': '123456', '01': '08934563138165'}),
    ('/01/08934563138165/10/NM%2F26-11.A(1)',
     'CxBAeuyU6xs6avZNlrFiugqGKk',
     {'10': 'NM/26-11.A(1)', '01': '08934563138165'}),
    ('/01/08934563138165/10/NM%2F26-11.A(1)',
     'ARBAeuyU6iEbOmr2TZaxYroKhip',
     {'10': 'NM/26-11.A(1)', '01': '08934563138165'}),
    ('/414/9520123456788/254/32a%2Fb',
     'nYVmywr8UVEnJ1oo',
     {'254': '32a/b', '414': '9520123456788'}),
    ('/414/9520123456788/254/32a%2Fb',
     'JUhWbLCvxIKRUScnWig',
     {'254': '32a/b', '414': '9520123456788'}),
]
"""(the uncompressed path, its compression, the AIs GS1's toolkit reads from it)"""


@pytest.mark.parametrize(("uncompressed", "segment", "ais"), GS1_TOOLKIT,
                         ids=[f"{row[1]}" for row in GS1_TOOLKIT])
def test_a_compressed_link_reads_as_gs1s_toolkit_reads_it(uncompressed: str, segment: str,
                                                          ais: dict[str, str]) -> None:
    assert decompress(segment) == ais, uncompressed


def test_gs1s_example_with_other_key_value_pairs() -> None:
    """The toolkit's own example (a lot with "&" and "+", an expiry date-time, a pair that
    is not GS1's)."""
    assert decompress("AQnYUc1gmiERBhQ0ytiyZuAGOLc1TXhXsaXbQKHFuaprwUmrBX6g") == {
        "01": "05412345000013", "10": "ABC&+123", "7003": "1903061658",
        "expdt": "1903061658", "k1": "v1"}


@pytest.mark.parametrize("segment", ["anomalies", "docs", "healthz", "ARBAeuyU6g==",
                                     "AR", "x" * 401, "ARBAeuyU6iDKmF9v", "_____________"])
def test_what_is_not_a_compressed_link_is_refused(segment: str) -> None:
    with pytest.raises(NotCompressed):
        decompress(segment)
