"""At start the server writes scaled artwork copies that are missing, as MusicDB 8 does,
as a task (``completeartworkscales``) that clients can see in ``<data>/tasks``."""

import json
import shutil

from tests.support import ServerProcess, poll


def artwork_task(home):
    """The server's artwork task as its file holds it, or None."""
    for path in (home.data / "tasks").glob("*.json"):
        try:
            task = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if task.get("type") == "completeartworkscales":
            return task
    return None


def test_a_deleted_scale_directory_is_filled_again_at_start(library_home):
    home = library_home("scales")
    artwork = home.data / "webdata" / "artwork"
    originals = sorted(path.name for path in (artwork / "150x150").iterdir())
    assert originals, "the demo library has artwork"
    shutil.rmtree(artwork / "150x150")
    server = ServerProcess(home.home)
    try:
        assert poll(lambda: (artwork_task(home) or {}).get("state") == "done",
                    timeout=20), server.log()
    finally:
        server.stop()
    assert sorted(p.name for p in (artwork / "150x150").iterdir()) == originals
    assert artwork_task(home)["result"] == {"written": len(originals)}
    assert "missing scaled artwork copies" in server.log()
