"""Eurostat technological / knowledge intensity (:mod:`sia.classification.knowledge`).

The expected table is written out here from Eurostat's published aggregation (reference metadata
"High-tech industry and knowledge-intensive services (htec)", Annex 3 "High-tech aggregation by
NACE Rev. 2"), not read from the module's CSV:

Manufacturing, 3-digit aggregation (the default)
    high-technology         21, 26, 30.3
    medium-high-technology  20, 25.4, 27 to 29, 30 excluding 30.1 and 30.3, 32.5
    medium-low-technology   18.2, 19, 22 to 24, 25 excluding 25.4, 30.1, 33
    low-technology          10 to 17, 18 excluding 18.2, 31, 32 excluding 32.5
Manufacturing, 2-digit aggregation
    high 21, 26; medium-high 20, 27 to 30; medium-low 19, 22 to 25, 33; low 10 to 18, 31 to 32
Knowledge-intensive services (KIS): 50 to 51, 58 to 63, 64 to 66, 69 to 75, 78, 80, 84 to 93, of which
    knowledge-intensive market services      50 to 51, 69 to 71, 73 to 74, 78, 80
    high-tech knowledge-intensive services   59 to 63, 72   (not 53: postal services are LKIS)
    knowledge-intensive financial services   64 to 66
    other knowledge-intensive services       58, 75, 84 to 93
Less knowledge-intensive services (LKIS)
    less knowledge-intensive market services 45 to 47, 49, 52, 55 to 56, 68, 77, 79, 81, 82
    other less knowledge-intensive services  53, 94 to 96, 97 to 99
Outside both (sia's "other"): sections A (01-03), B (05-09), D (35), E (36-39), F (41-43).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from sia.classification._errors import LevelError, UnknownCodeError
from sia.classification.knowledge import KNOWLEDGE_GROUPS, knowledge_intensity, knowledge_intensive_share


def span(a: int, b: int) -> list[int]:
    return list(range(a, b + 1))


# the 88 NACE Rev. 2 divisions (there is no 04, 34, 40, 44, 48, 54, 57, 67, 76, 83, 89)
DIVISIONS = (span(1, 3) + span(5, 33) + span(35, 39) + span(41, 43) + span(45, 47) + span(49, 53) + span(55, 56)
             + span(58, 66) + span(68, 75) + span(77, 82) + span(84, 88) + span(90, 99))

HT, MHT, MLT, LT = ("high-tech manufacturing", "medium-high-tech manufacturing", "medium-low-tech manufacturing",
                    "low-tech manufacturing")
KIS, LKIS = "knowledge-intensive services", "less knowledge-intensive services"

# division -> (group, subgroup, knowledge_intensive) for a division-level code (its own row)
EXPECTED: dict[int, tuple[str, str, bool]] = {}
for _ds, _g, _s, _k in [
    ([21, 26], HT, "high-technology", True),
    ([20, *span(27, 30)], MHT, "medium-high-technology", True),
    ([19, *span(22, 25), 33], MLT, "medium-low-technology", False),
    ([*span(10, 18), 31, 32], LT, "low-technology", False),
    ([50, 51, *span(69, 71), 73, 74, 78, 80], KIS, "knowledge-intensive market services", True),
    ([*span(59, 63), 72], KIS, "knowledge-intensive high-tech services", True),
    (span(64, 66), KIS, "knowledge-intensive financial services", True),
    ([58, 75, *span(84, 88), *span(90, 93)], KIS, "other knowledge-intensive services", True),
    ([*span(45, 47), 49, 52, 55, 56, 68, 77, 79, 81, 82], LKIS, "less knowledge-intensive market services", False),
    ([53, *span(94, 99)], LKIS, "other less knowledge-intensive services", False),
    (span(1, 3), "other", "agriculture, forestry and fishing", False),
    (span(5, 9), "other", "mining and quarrying", False),
    ([35], "other", "electricity, gas, steam and air conditioning supply", False),
    (span(36, 39), "other", "water supply; sewerage, waste management and remediation", False),
    (span(41, 43), "other", "construction", False),
]:
    for _d in _ds:
        assert _d not in EXPECTED, _d  # each division in exactly one aggregate
        EXPECTED[_d] = (_g, _s, _k)


def test_expected_table_covers_the_88_divisions():
    assert len(DIVISIONS) == 88
    assert sorted(EXPECTED) == DIVISIONS
    kis = sorted(d for d, v in EXPECTED.items() if v[0] == KIS)
    assert kis == [50, 51, *span(58, 63), *span(64, 66), *span(69, 75), 78, 80, *span(84, 88), *span(90, 93)]
    assert KNOWLEDGE_GROUPS == (HT, MHT, MLT, LT, KIS, LKIS, "other")


@pytest.mark.parametrize("aggregation", ["3-digit", "2-digit"])
@pytest.mark.parametrize("division", DIVISIONS)
def test_every_division(division, aggregation):
    group, subgroup, ki = EXPECTED[division]
    code = f"{division:02d}"
    c = knowledge_intensity(code, aggregation=aggregation)
    assert (c.code, c.group, c.subgroup, c.knowledge_intensive, c.nace) == (code, group, subgroup, ki, code)
    # a finer code under the division outside every 3-digit refinement ("NN00", read by prefix) agrees
    assert knowledge_intensity(code + "00", aggregation=aggregation).group == group


@pytest.mark.parametrize(("code", "three_digit", "two_digit"), [
    # 30.3 air and spacecraft: high-tech at 3 digits; division 30 (medium-high) at 2 digits
    ("30.3", (HT, "30.3", True), (MHT, "30", True)),
    ("303", (HT, "30.3", True), (MHT, "30", True)),
    ("30.30", (HT, "30.3", True), (MHT, "30", True)),
    ("3030", (HT, "30.3", True), (MHT, "30", True)),
    ("30300", (HT, "30.3", True), (MHT, "30", True)),
    ("30.30/0", (HT, "30.3", True), (MHT, "30", True)),
    # 30.1 ships and boats: medium-low at 3 digits, medium-high (division 30) at 2
    ("30.11", (MLT, "30.1", False), (MHT, "30", True)),
    ("3012", (MLT, "30.1", False), (MHT, "30", True)),
    # the rest of 30 (30.2 railway, 30.4 military vehicles, 30.9 n.e.c.) is medium-high either way
    ("30.20", (MHT, "30", True), (MHT, "30", True)),
    ("3040", (MHT, "30", True), (MHT, "30", True)),
    ("30910", (MHT, "30", True), (MHT, "30", True)),
    # 25.4 weapons and ammunition: medium-high at 3 digits; division 25 (medium-low) at 2
    ("25.4", (MHT, "25.4", True), (MLT, "25", False)),
    ("25400", (MHT, "25.4", True), (MLT, "25", False)),
    ("25.11", (MLT, "25", False), (MLT, "25", False)),
    # 32.5 medical and dental instruments: medium-high at 3 digits; division 32 (low) at 2
    ("32.50", (MHT, "32.5", True), (LT, "32", False)),
    ("3250", (MHT, "32.5", True), (LT, "32", False)),
    ("32.40", (LT, "32", False), (LT, "32", False)),
    # 18.2 reproduction of recorded media: medium-low at 3 digits; division 18 (low) at 2
    ("18.20", (MLT, "18.2", False), (LT, "18", False)),
    ("182", (MLT, "18.2", False), (LT, "18", False)),
    ("18.12", (LT, "18", False), (LT, "18", False)),
    # untouched divisions are the same at both levels
    ("21.10", (HT, "21", True), (HT, "21", True)),
    ("26.51", (HT, "26", True), (HT, "26", True)),
    ("29.10", (MHT, "29", True), (MHT, "29", True)),
    ("33.16", (MLT, "33", False), (MLT, "33", False)),
])
def test_three_digit_refinements(code, three_digit, two_digit):
    for aggregation, (group, nace, ki) in (("3-digit", three_digit), ("2-digit", two_digit)):
        c = knowledge_intensity(code, aggregation=aggregation)
        assert (c.group, c.nace, c.knowledge_intensive) == (group, nace, ki), (code, aggregation)
    assert knowledge_intensity(code) == knowledge_intensity(code, aggregation="3-digit")


@pytest.mark.parametrize(("code", "normalised"), [
    ("62", "62"), ("62.0", "620"), ("62.01", "6201"), ("6201", "6201"), ("62010", "62010"), ("62.01/1", "62011"),
    (" 62.01 ", "6201"), (62, "62"), (6201, "6201"),
])
def test_spellings_of_one_code(code, normalised):
    c = knowledge_intensity(code)
    assert c.code == normalised
    assert (c.group, c.subgroup, c.knowledge_intensive, c.nace) == (
        KIS, "knowledge-intensive high-tech services", True, "62")
    assert c.description == "Computer programming, consultancy and related activities"


def test_divisions_with_one_digit_and_nomis_spelling():
    # "1" is division 01 and "1.1" group 01.1 (the division part is zero-padded); NOMIS's 01000 is in 01
    assert knowledge_intensity("1").code == "01" and knowledge_intensity("1").nace == "01"
    assert knowledge_intensity("1.1").code == "011"
    assert knowledge_intensity("01000").group == "other"
    assert knowledge_intensity("5").subgroup == "mining and quarrying"


def test_postal_services_are_not_high_tech_kis():
    # NACE Rev. 1.1 put "post and telecommunications" (64) in high-tech KIS; NACE Rev. 2 splits them:
    # 53 postal is other LKIS, 61 telecommunications is high-tech KIS
    assert knowledge_intensity("53.10").subgroup == "other less knowledge-intensive services"
    assert not knowledge_intensity("53.10").knowledge_intensive
    assert knowledge_intensity("61.10").subgroup == "knowledge-intensive high-tech services"


NOT_DIVISIONS = sorted(set(range(100)) - set(DIVISIONS))


def test_list_of_non_divisions():
    assert NOT_DIVISIONS == [0, 4, 34, 40, 44, 48, 54, 57, 67, 76, 83, 89]


@pytest.mark.parametrize("division", NOT_DIVISIONS)
def test_codes_in_no_division_raise(division):
    for code in (f"{division:02d}", f"{division:02d}.10", f"{division:02d}10", f"{division:02d}100"):
        with pytest.raises(UnknownCodeError) as info:
            knowledge_intensity(code)
        assert str(info.value) == (
            f"knowledge_intensity: division '{division:02d}' is not a NACE Rev. 2 division: code {code!r} is not in "
            "classification 'NACE Rev. 2 (Eurostat high-tech / knowledge-intensity aggregation)'")
        assert info.value.code == code


@pytest.mark.parametrize("code", ["C", "c", "G", "U"])
def test_section_letters_raise_level_error(code):
    with pytest.raises(LevelError, match=re.escape(
            f"knowledge_intensity: {code!r} is a SIC section; Eurostat's aggregation needs a division (2 digits) "
            "or a finer code")):
        knowledge_intensity(code)


@pytest.mark.parametrize(("code", "context"), [
    ("abc", "expected a SIC 2007 division, group, class or subclass (2 to 5 digits)"),  # letters, not a section
    ("Z", "expected a SIC 2007 division, group, class or subclass (2 to 5 digits)"),    # sections are A to U
    ("620100", "expected a SIC 2007 division, group, class or subclass (2 to 5 digits)"),
    ("", "expected a SIC 2007 division, group, class or subclass (2 to 5 digits)"),
    ("-62", "expected a SIC 2007 division, group, class or subclass (2 to 5 digits)"),
    ("C62", "expected a SIC 2007 division, group, class or subclass (2 to 5 digits)"),
    ("62.x", "not a SIC code"),
    (None, "a SIC code is text like '62.01'"),
    (30.3, "a SIC code is text like '62.01'"),
    (True, "a SIC code is text like '62.01'"),
])
def test_unknown_codes_raise_naming_the_code(code, context):
    with pytest.raises(UnknownCodeError) as info:
        knowledge_intensity(code)
    assert str(info.value) == (f"knowledge_intensity: {context}: code {code!r} is not in classification "
                               "'NACE Rev. 2 (Eurostat high-tech / knowledge-intensity aggregation)'")


def test_bad_aggregation():
    with pytest.raises(ValueError, match=re.escape("aggregation must be '3-digit' or '2-digit', got '4-digit'")):
        knowledge_intensity("62", aggregation="4-digit")


def test_knowledge_intensive_share_by_hand():
    # 21.10 pharma (HT) and 26.51 instruments (HT) are KI; 47.11 retail and 96.02 hairdressing (LKIS) are not
    assert knowledge_intensive_share(["21100", "26511", "47110", "96020"]) == 2 / 4
    # weights 3 (62.01, KI) and 1 (47.11): 3 / (3 + 1)
    assert knowledge_intensive_share(["62010", "47110"], weights=[3.0, 1.0]) == 3 / 4
    # 30.3 (w 1), 30.1 (w 2), 25.4 (w 4), 32.5 (w 8), total 15
    #   3-digit: KI = 1, 0, 1, 1 -> (1 + 4 + 8) / 15 = 13/15
    #   2-digit: 30 MHT, 30 MHT, 25 MLT, 32 LT -> KI = 1, 1, 0, 0 -> (1 + 2) / 15 = 1/5
    basket, w = ["30300", "30110", "25400", "32500"], [1.0, 2.0, 4.0, 8.0]
    assert knowledge_intensive_share(basket, w) == pytest.approx(13 / 15, rel=1e-15)
    assert knowledge_intensive_share(basket, w, aggregation="2-digit") == pytest.approx(1 / 5, rel=1e-15)
    # a zero weight is allowed: only 47.11 counts -> 0
    assert knowledge_intensive_share(["62010", "47110"], weights=[0.0, 1.0]) == 0.0


def test_knowledge_intensive_share_empty_or_zero_weight_is_nan_with_warning():
    for args in (([],), (["62010"], [0.0])):
        with pytest.warns(UserWarning, match=re.escape(
                "knowledge_intensive_share: empty basket or zero total weight; share is NaN")):
            assert np.isnan(knowledge_intensive_share(*args))


@pytest.mark.parametrize(("weights", "message"), [
    ([1.0], "1 weights for 2 codes"),
    ([1.0, -1.0], "weights must be finite and non-negative; weight 1 (code '47110') is -1.0"),
    ([np.nan, 1.0], "weights must be finite and non-negative; weight 0 (code '62010') is nan"),
    ([1.0, np.inf], "weights must be finite and non-negative; weight 1 (code '47110') is inf"),
])
def test_knowledge_intensive_share_bad_weights(weights, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        knowledge_intensive_share(["62010", "47110"], weights=weights)


def test_knowledge_intensive_share_unknown_code():
    with pytest.raises(UnknownCodeError, match="division '34' is not a NACE Rev. 2 division"):
        knowledge_intensive_share(["62010", "34100"])


def test_against_the_sic2007_tree(shared_data):
    from sia.classification import sic2007

    tree = sic2007(shared_data("sectors/sic2007_5digit_hierarchy_lookup.csv").parents[1])
    # the tree's divisions are the 88 written above
    assert sorted(int(d) for d in tree.codes("division")) == DIVISIONS
    refined = {"182": MLT, "254": MHT, "301": MLT, "303": HT, "325": MHT}
    for sub in tree.codes("subclass"):  # all 729, NOMIS's 01000 included
        c = knowledge_intensity(sub, classification=tree)
        assert c.group == refined.get(sub[:3], EXPECTED[int(sub[:2])][0]), sub
        assert knowledge_intensity(sub, aggregation="2-digit").group == EXPECTED[int(sub[:2])][0], sub
    # with a tree the code must exist in it: 62.01 has UK subclasses 62.01/1 and 62.01/2, not 62010
    assert knowledge_intensity("62.01/1", classification=tree).code == "62011"
    with pytest.raises(UnknownCodeError, match=re.escape("code '62010' is not in classification 'SIC 2007'")):
        knowledge_intensity("62010", classification=tree)
    with pytest.raises(LevelError):
        knowledge_intensity("C", classification=tree)
