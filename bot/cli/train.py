"""``dealradar train`` and ``dealradar eval --splits``: fitting and measuring the learned model.

Both need the ``train`` extra (scikit-learn) and the shared corpus and pool (``--shared``,
default ``$DEALRADAR_SHARED`` or ``../shared``); without either they exit with status 2 and
say what is missing.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import click

from bot.classify.evaluation import Report


class TrainingUnavailable(click.ClickException):
    """The training extra or the shared data is missing; exits with status 2."""

    exit_code = 2


def _modules() -> tuple[ModuleType, ModuleType]:
    try:
        import sklearn  # noqa: F401
    except ImportError as exc:
        raise TrainingUnavailable(
            "training needs scikit-learn: pip install 'dealradar[train]'"
        ) from exc
    from bot.classify.training import data, train

    return data, train


def _load(shared: Path) -> tuple[ModuleType, Any]:
    data, train = _modules()
    if not (shared / "pool" / "pool.jsonl").is_file():
        raise TrainingUnavailable(f"{shared}/pool/pool.jsonl not found (give --shared PATH)")
    return train, train.featurize(data.all_items(shared))


def _row(name: str, r: Report) -> dict[str, Any]:
    return {
        "split": name,
        "items": r.items,
        **{lbl: s.to_json() for lbl, s in r.labels.items()},
        "status_accuracy": round(r.status_accuracy, 4),
        "companies": r.companies.to_json(),
    }


def _table(rows: list[dict[str, Any]]) -> str:
    out = [
        "| split | items | closure P / R / F1 | partnership P / R / F1 | status | company F1 |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        c, p = r["plant_closure"], r["partnership"]
        out.append(
            f"| {r['split']} | {r['items']} "
            f"| {c['precision']:.3f} / {c['recall']:.3f} / {c['f1']:.3f} "
            f"| {p['precision']:.3f} / {p['recall']:.3f} / {p['f1']:.3f} "
            f"| {r['status_accuracy']:.3f} | {r['companies']['f1']:.3f} |"
        )
    return "\n".join(out)


def splits_table(shared: Path, seed: int) -> list[dict[str, Any]]:
    """Source-disjoint splits and 5-fold cross-validation, as table rows."""
    train, data = _load(shared)

    def src(*names: str) -> Any:
        return lambda item: item.source in names

    splits = [
        ("Reuters 2018-20 → Reuters 1987", src("r18"), src("r87")),
        ("Reuters 2018-20 → dev", src("r18"), src("dev")),
        ("Reuters 1987 → Reuters 2018-20", src("r87"), src("r18")),
        ("Reuters 1987 → dev", src("r87"), src("dev")),
        ("pool → dev", src("r18", "r87", "net2"), src("dev")),
        ("pool → clusters-dev", src("r18", "r87", "net2"), src("clusters")),
        ("pool + clusters-dev → dev", src("r18", "r87", "net2", "clusters"), src("dev")),
        ("pool + dev → clusters-dev", src("r18", "r87", "net2", "dev"), src("clusters")),
        (
            "first net + dev + clusters-dev → second net",
            src("r18", "r87", "dev", "clusters"),
            src("net2"),
        ),
    ]
    reports = train.split_report(data, splits, seed=seed)
    rows = [_row(name, r) for name, r in reports.items()]
    rows.append(_row("5-fold CV, everything", train.cross_validated(data, seed=seed)))
    return rows


_SHARED = click.option(
    "--shared",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The shared corpus and pool (default $DEALRADAR_SHARED or ../shared).",
)


@click.command("train")
@_SHARED
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the model (default: the package's bot/classify/model.json).",
)
@click.option("--seed", type=int, default=0, show_default=True)
def train_command(shared: Path | None, out: Path | None, seed: int) -> None:
    """Fit the classifier's model from the labelled pool, dev and story sets."""
    data_mod, _ = _modules()
    shared = shared or data_mod.default_shared()
    train, data = _load(shared)
    _, spec = train.fit(data, seed=seed)
    target = out or Path(__file__).resolve().parent.parent / "classify" / "model.json"
    train.write(spec, target)
    click.echo(f"wrote {target} ({len(data.items)} items, seed {seed})")
    for label, rep in spec["report"].items():
        click.echo(f"{label}: threshold {rep['threshold']:.2f}, {rep['features']} features")
        for lo, rate, n in rep["calibration"]:
            click.echo(f"  score ≥ {lo:.2f}: {rate:.3f} positive ({n} items, out-of-fold)")


def eval_splits(shared: Path | None, seed: int, as_json: bool) -> None:
    """Print the source-disjoint and cross-validated figures (``eval --splits``)."""
    data_mod, _ = _modules()
    rows = splits_table(shared or data_mod.default_shared(), seed)
    click.echo(json.dumps(rows, indent=2) if as_json else _table(rows))
