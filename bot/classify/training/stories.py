"""The pool's labelled stories as a clusters file for ``dealradar eval-clusters``.

``labels/stories.jsonl`` groups every pool item labelled a closure or a partnership into
real-world stories (``{"id", "story"}``), read the same way as ``clusters-dev.jsonl``. The text
stays in ``shared/``: ``python -m bot.classify.training.stories OUT.jsonl [--shared DIR]``
writes the file (in stream order, by date) outside the repository.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.classify.training.data import default_shared, labels_path


def iso_date(raw: str) -> str:
    """``2019-02-18`` or ``26-FEB-1987`` as ``YYYY-MM-DD`` (empty when unreadable)."""
    for fmt in ("%Y-%m-%d", "%d-%b-%Y"):
        try:
            return datetime.strptime(raw.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return ""


def story_rows(shared: Path) -> list[dict[str, Any]]:
    """Clusters-format rows for the pool's labelled stories, ordered by date then id."""
    stories = {
        d["id"]: d["story"]
        for d in map(json.loads, labels_path("stories.jsonl").read_text("utf-8").splitlines())
    }
    labels = {
        d["id"]: d
        for d in map(json.loads, labels_path("pool.jsonl").read_text("utf-8").splitlines())
    }
    rows = []
    with (shared / "pool" / "pool.jsonl").open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d["id"] not in stories:
                continue
            lab = labels[d["id"]]
            rows.append(
                {
                    "id": d["id"],
                    "cluster": stories[d["id"]],
                    "headline": d["headline"],
                    "lede": d.get("lede") or "",
                    "date": iso_date(d.get("date") or ""),
                    "source": "Reuters",
                    "labels": lab.get("labels", []),
                    "companies": lab.get("companies", []),
                }
            )
    rows.sort(key=lambda r: (r["date"], int(r["id"].split("-")[1]), r["id"]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--shared", type=Path, default=None)
    args = parser.parse_args()
    rows = story_rows(args.shared or default_shared())
    with args.out.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} items in {len({r['cluster'] for r in rows})} stories to {args.out}")


if __name__ == "__main__":
    main()
