"""The local registry's state, for reusing Evaluate and Register when it has not changed.

Evaluate compares the model with the champion and Register writes to the registry: neither
names the registry in its arguments, so a step cache keyed on arguments alone would reuse a
comparison with a champion that is no longer there. Locally the runner passes the state of
the registry as the ``RegistryState`` parameter, which both steps carry: a new champion, a
removed store or another model name gives them a new cache key.

A run that registers a model moves the champion itself. That change is the run's own doing, not
news: after each run the state it left is recorded with the state it ran with, and the next run
finding the registry as the last one left it runs with the same state again (the
comparison it would make is the one the last run recorded). Anything else in between (a
version approved by hand, the store removed) is a new state.

The state is read from MLflow's SQLite file with ``sqlite3``, read-only: importing MLflow
takes seconds, the query milliseconds. A store that is not a local SQLite file, or one that
cannot be read, gives no state, and then the run gets a state of its own (nothing is reused).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from pipelines.lake import write_atomically

RECORD_FILE = "registry-state.json"
CHAMPION_QUERY = """
SELECT v.version, v.run_id
FROM registered_model_aliases AS a
JOIN model_versions AS v ON v.name = a.name AND v.version = a.version
WHERE a.name = ? AND a.alias = ?
"""


def sqlite_database(tracking_uri: str) -> Path | None:
    """The file of a ``sqlite:///`` tracking URI; None for any other store."""
    prefix = "sqlite:///"
    return Path(tracking_uri[len(prefix) :]) if tracking_uri.startswith(prefix) else None


def champion_state(database: Path, model_name: str, alias: str = "champion") -> str | None:
    """``champion <version> <run id>``, ``no champion``, or None when the file cannot be read."""
    if not database.exists():
        return "no champion"
    try:
        with sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if not {"registered_model_aliases", "model_versions"} <= tables:
                return "no champion"  # a store no model was registered in yet
            row = db.execute(CHAMPION_QUERY, (model_name, alias)).fetchone()
    except sqlite3.Error:
        return None
    return f"champion {row[0]} {row[1]}" if row else "no champion"


def registry_state(tracking_uri: str, store_id: str, model_name: str) -> str | None:
    """A short hash of the store and its champion; None when it cannot be read from here."""
    database = sqlite_database(tracking_uri)
    champion = champion_state(database, model_name) if database else None
    if champion is None:
        return None
    text = f"{store_id}\0{model_name}\0{champion}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def state_to_run_with(current: str | None, record_path: Path, execution_id: str) -> str:
    """The state this run passes: the last run's when the registry is as that run left it."""
    if current is None:
        return f"unread-{execution_id}"  # never equal to another run's: nothing is reused
    try:
        record = json.loads(record_path.read_text())
        if record["left"] == current:
            return str(record["ran_with"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return current


def record_state(record_path: Path, ran_with: str, left: str | None) -> None:
    """After a run: the state it ran with and the state it left (None: unreadable, no record)."""
    if left is None:
        record_path.unlink(missing_ok=True)
        return
    body = json.dumps({"ran_with": ran_with, "left": left}, indent=2)
    write_atomically(record_path, body.encode())
