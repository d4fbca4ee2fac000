"""Both streams start and stop one way: the seed's Start/Stop functions over a ServiceSlot."""

from types import SimpleNamespace

from musicdb.mdbapi import audiostream, events, videostream
from tests.support import wait_until


def config(disablevideos=False):
    return SimpleNamespace(
        icecast=SimpleNamespace(bitrate=320, transcodeall=False, maxlisteners=3,
                                maxlistenersperip=8, mountname="/stream", allow=[], password=""),
        debug=SimpleNamespace(disableicecast=False, disablevideos=disablevideos),
        directories=SimpleNamespace(music="/nonexistent"))


class VideoQueue:
    def current(self):
        return None

    def head_entryid(self):
        return None


def test_the_audio_stream_starts_once_and_stopping_disconnects_its_listeners():
    ctx = SimpleNamespace(cfg=config(), songqueue=None)
    audiostream.StartAudioStreamingThread(ctx)
    try:
        first = ctx.audiostream
        audiostream.StartAudioStreamingThread(ctx)
        assert ctx.audiostream is first and audiostream.current() is first
        assert first.state() == {"isconnected": True, "isplaying": False}
        listener = first.broadcaster.add("probe", icy=False)
    finally:
        audiostream.StopAudioStreamingThread()
    assert listener.dropped and first.broadcaster.listeners == set()
    assert audiostream.current() is None and first.state()["isconnected"] is False
    audiostream.StopAudioStreamingThread()      # stopping twice is safe


def test_a_stopped_audio_stream_neither_beats_nor_follows_the_queue():
    beats = []

    def on_event(event):
        if event.name == events.AUDIOSTREAM_TIME:
            beats.append(event)

    ctx = SimpleNamespace(cfg=config(), songqueue=None)
    events.subscribe(on_event)
    try:
        audiostream.StartAudioStreamingThread(ctx)
        wait_until(lambda: beats)
        loops = list(ctx.audiostream._greenlets)
        audiostream.StopAudioStreamingThread()
        assert len(loops) == 2 and all(loop.dead for loop in loops)
        assert ctx.audiostream._on_event not in events.bus._subscribers
    finally:
        events.unsubscribe(on_event)
        audiostream.StopAudioStreamingThread()


def test_the_stream_route_answers_503_while_no_stream_runs():
    app = audiostream.http_routes(config())["/stream"]
    answers = []
    body = app({"REQUEST_METHOD": "GET", "REMOTE_ADDR": "127.0.0.1"},
               lambda status, headers: answers.append(status))
    assert answers == ["503 Service Unavailable"] and body == [b"503 Service Unavailable\n"]


def test_the_video_stream_starts_once_and_drops_commands_once_stopped():
    ctx = SimpleNamespace(cfg=config(), videoqueue=VideoQueue())
    videostream.StartVideoStreamingThread(ctx)
    try:
        first = ctx.videostream
        videostream.StartVideoStreamingThread(ctx)
        assert ctx.videostream is first and first.running
        assert first.state() == {"isstreaming": True, "isplaying": False, "currententry": 0}
    finally:
        videostream.StopVideoStreamingThread()
    assert not first.running
    first.set_streaming(False)                  # dropped: nothing runs it
    assert first.state()["isstreaming"] is True
    videostream.StopVideoStreamingThread()


def test_a_disabled_video_stream_runs_no_loop_and_reports_off():
    statuses = []
    events.subscribe(statuses.append)
    ctx = SimpleNamespace(cfg=config(disablevideos=True), videoqueue=VideoQueue())
    try:
        videostream.StartVideoStreamingThread(ctx)
        assert not ctx.videostream.running
        assert [e.data for e in statuses if e.name == events.VIDEOSTREAM_STATUS] == \
            [{"isstreaming": False, "isplaying": False, "currententry": 0}]
    finally:
        events.unsubscribe(statuses.append)
        videostream.StopVideoStreamingThread()
