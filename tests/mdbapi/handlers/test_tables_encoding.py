"""GetTables' answer is encoded row by row in the thread pool, exactly as protocol.encode would."""

import json

from musicdb.mdbapi.handlers.library import encode_tables


def test_row_by_row_encoding_equals_encoding_the_whole_answer():
    tables = {"songs": [{"id": 1, "name": "Sòng \ud800", "rating": None, "x": 1.5},
                        {"id": 2, "name": "\"quoted\"", "rating": 3, "x": -0.0}],
              "tags": [], "artists": [{"id": 7, "name": "Bänd"}]}
    assert encode_tables(tables) == json.dumps(tables)
    assert encode_tables({}) == json.dumps({})
