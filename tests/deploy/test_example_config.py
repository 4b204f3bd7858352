"""deploy/dealradar.example.toml: valid, complete, and truthful about defaults and env vars."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import TypeAdapter

from bot.config.loader import ENV_OVERRIDES, SECRET_ENV, load_settings
from bot.config.settings import Settings
from tests.deploy.artifacts import (
    DEPLOY,
    example_keys,
    example_with_everything,
    model_at,
    settings_fields,
)

EXAMPLE = DEPLOY / "dealradar.example.toml"
ENV_FOR_KEY = {key: var for var, key in {**ENV_OVERRIDES, **SECRET_ENV}.items()}


def _dotted(section: str, name: str) -> str:
    return f"{section}.{name}" if section else name


@pytest.fixture
def keys() -> list[Any]:
    return example_keys(EXAMPLE.read_text(encoding="utf-8"))


def test_example_loads_and_equals_the_built_in_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray ./dealradar.toml
    from_example = load_settings(str(EXAMPLE), env={})
    assert from_example == load_settings(None, env={})


def test_every_settings_field_is_mentioned_in_its_section(keys: list[Any]) -> None:
    mentioned = {(k.section, k.name) for k in keys}
    text = EXAMPLE.read_text(encoding="utf-8")
    missing = []
    for field in settings_fields():
        dotted = _dotted(field.section, field.name)
        if field.model is not None:
            header = f"[[{dotted}]]" if field.is_array else f"[{dotted}]"
            if header not in text:
                missing.append(header)
        elif (field.section, field.name) not in mentioned:
            missing.append(dotted)
    assert not missing, f"not documented in {EXAMPLE.name}: {missing}"


def test_every_mentioned_key_is_a_real_field(keys: list[Any]) -> None:
    unknown = [
        f"line {k.line}: {_dotted(k.section, k.name)}"
        for k in keys
        if k.name not in model_at(k.section).model_fields
    ]
    assert not unknown


def test_uncommenting_every_example_still_validates(keys: list[Any]) -> None:
    data = example_with_everything(keys)
    assert data["sources"] and data["routes"] and data["companies"]
    Settings.model_validate(data)


def test_values_shown_for_plain_tables_are_the_defaults(keys: list[Any]) -> None:
    array_sections = {_dotted(f.section, f.name) for f in settings_fields() if f.is_array}
    wrong, checked = [], 0
    for key in keys:
        if key.value is None or key.section in array_sections:
            continue  # a secret mention, or an example [[table]]
        field = model_at(key.section).model_fields[key.name]
        default = field.get_default(call_default_factory=True)
        if default is None:
            continue  # an example value for an optional key
        annotation: Any = field.annotation
        if field.metadata:  # constraints and the duration parser live here
            annotation = Annotated[(annotation, *field.metadata)]
        adapter: TypeAdapter[Any] = TypeAdapter(annotation)
        checked += 1
        if adapter.validate_python(key.value) != default:
            wrong.append(f"line {key.line}: {key.name} = {key.value!r}, default is {default!r}")
    assert checked >= 20
    assert not wrong


def test_secrets_are_only_mentioned_never_given_a_value(keys: list[Any]) -> None:
    for dotted, var in ENV_FOR_KEY.items():
        if var not in SECRET_ENV:
            continue
        section, name = dotted.rsplit(".", 1)
        hits = [k for k in keys if (k.section, k.name) == (section, name)]
        assert hits, dotted
        assert all(k.value is None and k.commented for k in hits), dotted


def test_env_notes_name_the_variable_that_really_overrides_the_key(keys: list[Any]) -> None:
    noted = {}
    for key in keys:
        if key.env is not None:
            noted[_dotted(key.section, key.name)] = key.env
    assert noted == ENV_FOR_KEY
