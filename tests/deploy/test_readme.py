"""deploy/README.md describes every file in deploy/."""

from __future__ import annotations

from tests.deploy.artifacts import DEPLOY


def test_readme_names_every_deploy_file() -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for path in DEPLOY.iterdir():
        if path.name == "README.md":
            continue
        name = f"{path.name}/" if path.is_dir() else path.name
        assert f"`{name}`" in readme, name
