"""At start the server writes scaled artwork copies that are missing, as MusicDB 8 does."""

import shutil

from tests.support import ServerProcess, poll


def test_a_deleted_scale_directory_is_filled_again_at_start(library_home):
    home = library_home("scales")
    artwork = home.data / "webdata" / "artwork"
    originals = sorted(path.name for path in (artwork / "150x150").iterdir())
    assert originals, "the demo library has artwork"
    shutil.rmtree(artwork / "150x150")
    server = ServerProcess(home.home)
    try:
        assert poll(lambda: (artwork / "150x150").is_dir()
                    and sorted(p.name for p in (artwork / "150x150").iterdir()) == originals,
                    timeout=20), server.log()
    finally:
        server.stop()
    assert "missing scaled artwork copies" in server.log()
