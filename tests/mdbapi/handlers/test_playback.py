"""The stream state handlers, run as a packet would run them."""

from types import SimpleNamespace

import pytest

from musicdb.lib.ws.errors import InvalidArguments


@pytest.mark.parametrize("fncname", ["SetAudioStreamState", "SetVideoStreamState"])
def test_an_unknown_stream_state_is_ignored_and_answered_with_null(api, app, fncname):
    """api-playback.md: any other value is a warning and nothing happens (MusicDB 8 answered null);
    SetVideoStreamState works like SetAudioStreamState."""
    commands = []
    app.audiostream = SimpleNamespace(play=commands.append, toggle=commands.append)
    app.videostream = SimpleNamespace(set_streaming=commands.append)
    assert api(fncname, state="stop") is None
    assert commands == []
    with pytest.raises(InvalidArguments):
        api(fncname, state=1)
