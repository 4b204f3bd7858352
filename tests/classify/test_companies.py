"""The company table: aliases, parents, extension from config, finding names in text."""

from __future__ import annotations

import pytest

from bot.classify.companies import CompanyTable
from bot.errors import ConfigError


@pytest.fixture(scope="module")
def table() -> CompanyTable:
    return CompanyTable.default()


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Hon Hai", "Foxconn"),
        ("Hon Hai Precision Industry Co., Ltd.", "Foxconn"),
        ("鴻海", "Foxconn"),
        ("Nissan Motor Co.", "Nissan"),
        ("Nissan Motor Co., Ltd.", "Nissan"),
        ("nissan", "Nissan"),
        ("Toyota Motor Corp", "Toyota"),
        ("GM", "General Motors"),
        ("General Motors Co.", "General Motors"),
        ("VW", "Volkswagen"),
        ("Contemporary Amperex Technology", "CATL"),
        ("Mercedes", "Mercedes-Benz"),
        ("Unknown Widgets Ltd", None),
    ],
)
def test_resolve(table: CompanyTable, written: str, canonical: str | None) -> None:
    assert table.resolve(written) == canonical


def test_table_is_a_few_hundred_companies_across_sectors(table: CompanyTable) -> None:
    names = table.names()
    assert len(names) >= 300
    sectors = {table.entry(n).sector for n in names}  # type: ignore[union-attr]
    assert {
        "auto",
        "ev",
        "battery",
        "semiconductor",
        "steel",
        "chemicals",
        "electronics",
    } <= sectors


def test_parents_roll_up(table: CompanyTable) -> None:
    assert table.parent("Opel") == "Stellantis"
    assert table.parent("Samsung SDI") == "Samsung"
    assert table.parent("Toyota") is None
    assert table.roll_up(["General Motors", "Chevrolet"]) == ["General Motors"]
    assert table.roll_up(["Chevrolet"]) == ["Chevrolet"]


def test_find_reports_canonical_names_and_spans(table: CompanyTable) -> None:
    text = "Nissan Motor Co. is in talks with Hon Hai Precision Industry (鴻海) and GM."
    found = table.find(text)
    assert [m.name for m in found] == ["Nissan", "Foxconn", "Foxconn", "General Motors"]
    first = found[0]
    assert text[first.start : first.end] == first.text
    assert first.text.startswith("Nissan Motor Co")


def test_find_handles_lower_case_and_pairs(table: CompanyTable) -> None:
    assert [m.name for m in table.find("ford and volkswagen sign deal")] == ["Ford", "Volkswagen"]
    assert [m.name for m in table.find("the Renault-Nissan alliance")] == ["Renault", "Nissan"]


def test_ambiguous_names_match_only_as_written(table: CompanyTable) -> None:
    assert [m.name for m in table.find("Target to close stores")] == ["Target"]
    assert table.find("a target of 5,000 cars") == []
    assert table.find("THE TARGET IS MISSED") == []
    assert table.find("the gm of the plant") == []  # acronyms need capitals


def test_suggest_is_fuzzy(table: CompanyTable) -> None:
    assert table.suggest("Foxcon")[0] == "Foxconn"
    assert "Volkswagen" in table.suggest("Volkswagon")
    assert table.suggest("motor toyota")[0] == "Toyota"  # an alias, words in another order
    assert table.suggest("zzqxw") == []


def test_with_extra_adds_and_merges(table: CompanyTable) -> None:
    extended = table.with_extra(
        [
            {"name": "Qorvane", "aliases": ["QVN"], "parent": "Toyota"},
            {"name": "Foxconn", "aliases": ["FII"]},
        ]
    )
    assert extended.resolve("QVN") == "Qorvane"
    assert extended.parent("Qorvane") == "Toyota"
    assert extended.resolve("FII") == "Foxconn"
    assert extended.resolve("Hon Hai") == "Foxconn"
    assert table.resolve("QVN") is None  # the default table is unchanged


def test_with_extra_lists_every_problem(table: CompanyTable) -> None:
    with pytest.raises(ConfigError) as err:
        table.with_extra([{"aliases": ["x"]}, {"name": "Ok", "aliases": "not a list"}])
    assert len(err.value.problems) == 2
    assert "companies.extra[0].name" in err.value.problems[0]


def test_bad_toml_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        CompanyTable.from_toml("companies = [ {name = ")


def test_default_is_cached() -> None:
    assert CompanyTable.default() is CompanyTable.default()
