"""The demo library: a generated music collection for tests, benchmarks and the quick start.

* :mod:`.library`     writes the files (ffmpeg clips, tags via
  :mod:`musicdb.lib.media.tagwriter`)
* :mod:`.quickstart`  fills an empty music directory and imports it

Nothing below ``musicdb.lib`` or ``musicdb.mdbapi`` imports this package:
the importer and the server do not need a generator, and only ``musicdb
server`` (on its first start) and ``musicdb demo`` load it, when they use it.
"""
