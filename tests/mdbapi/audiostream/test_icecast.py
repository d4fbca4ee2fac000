"""The Icecast feed end to end: our server pushes its stream to a real ``icecast2``.

Icecast runs on a free loopback port with a configuration the test writes
(:mod:`tests.icecast_server`); our server is a real process with real MP3
songs.  Listeners read from Icecast with ``http.client`` in threads.
"""

import subprocess

import pytest

from tests.icecast_server import IcecastServer, needs_icecast
# The stream tests' fixtures (imported, so pytest finds them for this folder too).
from tests.support.media import FFMPEG, encode_song, needs_ffmpeg
from tests.support.stream import frames_of
from tests.support import BLOCKED_MARK, poll

pytestmark = [needs_icecast, needs_ffmpeg]
BITRATE_BYTES = 320 * 125


@pytest.fixture
def icecast():
    """``start(password="hackme", tls=False)``: a running icecast2, removed after the test."""
    servers = []

    def start(**kwargs):
        server = IcecastServer(**kwargs)
        servers.append(server)      # removed even when it does not start
        return server.start()

    yield start
    for server in servers:
        server.remove()


def feed_config(ice, password=None, mount="/live", **keys):
    """``[icecastsource]`` pushing to ``ice``; ``keys`` are further keys (e.g. protocol)."""
    extra = "".join(f"{key} = {value}\n" for key, value in keys.items())
    return f"""[icecastsource]
enable = True
host = 127.0.0.1
port = {ice.tls_port if keys.get("tls") else ice.port}
mount = {mount}
password = {ice.password if password is None else password}
retrymax = 2
timeout = 5
""" + extra


def long_songs(home, *names, seconds=60):
    """Songs long enough that only a skip, not their end, changes the title."""
    for number, name in enumerate(names):
        relpath = f"Sine Band/2020 - Tones/{name}.mp3"
        encode_song(f"{home.music}/{relpath}", seconds=seconds, frequency=300 + 100 * number)
        home.add_song(name, relpath)


def queue_and_play(client, home, *names):
    for name in names:
        client.request("AddSongToQueue", {"songid": home.songs[name], "position": "last"})
    client.send("call", "SetAudioStreamState", {"state": "play"})
    client.wait_for(lambda p: p.get("fncsig") == "onStatusChanged")


def icecast_title(ice, mount):
    source = ice.source(mount)
    return source.get("title") if source else None


def feed_state(client):
    return client.request("GetAudioStreamState").get("icecast")


def decode_errors(data):
    """What ffmpeg reports decoding ``data`` as MP3 ("" when it decodes without an error)."""
    result = subprocess.run([FFMPEG, "-v", "error", "-f", "mp3", "-i", "-", "-f", "null", "-"],
                            input=bytes(data), capture_output=True, timeout=60)
    return result.stderr.decode(errors="replace").strip() or ("failed" if result.returncode else "")


def hear_a_skip_through_icecast(ice, server, client, home, listen):
    """Play the two long_songs(), skip one: Icecast's title follows and its listener (returned)
    got MP3 that decodes; the local stream serves all along (its listener returned second)."""
    assert poll(lambda: ice.source("/live") is not None, 15), server.log()
    assert feed_state(client) == {"state": "connected", "reason": None}
    queue_and_play(client, home, "Long One", "Long Two")
    assert poll(lambda: icecast_title(ice, "/live") == "Sine Band - Long One", 15), server.log()
    remote, local = listen(ice, path="/live"), listen(server)
    remote.wait_bytes(3 * BITRATE_BYTES)
    local.wait_bytes(BITRATE_BYTES)
    client.send("call", "PlayNextSong")
    assert poll(lambda: icecast_title(ice, "/live") == "Sine Band - Long Two", 15), server.log()
    frames, parser = frames_of(remote.data)
    assert parser.skipped < 2 * 1044, "more than a partial frame at the start that is no frame"
    assert {f.header.samplerate for f in frames} == {44100}
    assert {f.header.bitrate for f in frames} == {320}
    # At a song change the next song's first frame may point into a bit reservoir the previous
    # song's last frame did not leave (the stream splices frames as they are): one "backstep"
    # message per change, on our own stream the same.  Nothing else is allowed.
    errors = decode_errors(remote.data[parser.skipped:]).splitlines()
    assert len(errors) <= 2 and all("backstep" in line for line in errors), errors
    return remote, local


def error_lines(log):
    """The ERROR lines of a server log, without gevent's blocked-loop reports (a loaded
    machine's; the server fixture judges those with ``server_blocks``)."""
    return [line for line in log.splitlines() if "ERROR" in line and BLOCKED_MARK not in line]


def test_icecast_listener_gets_our_stream_and_the_title_follows_a_skip(
        icecast, stream_home, stream_server, connect, listen):
    """A listener on Icecast gets MP3 that decodes, Icecast's title follows PlayNextSong, and
    the local stream keeps serving; the API reports the feed as connected."""
    ice = icecast()
    long_songs(stream_home, "Long One", "Long Two")
    server = stream_server(feed_config(ice))
    remote, local = hear_a_skip_through_icecast(ice, server, connect(server), stream_home,
                                                listen)
    # byte for byte what our own listeners hear: a second Icecast sent well after the local
    # listener joined, found in what the local listener got a little later
    local.wait_bytes(4 * BITRATE_BYTES)
    remote.wait_bytes(len(remote.data) + 2 * BITRATE_BYTES)
    piece = bytes(remote.data[-2 * BITRATE_BYTES:-BITRATE_BYTES])
    local.wait_bytes(len(local.data) + 2 * BITRATE_BYTES)
    assert piece in bytes(local.data)
    assert "Icecast feed connected to 127.0.0.1" in server.log()


def test_the_source_method_for_old_servers_feeds_icecast_too(
        icecast, stream_home, stream_server, connect, listen):
    """protocol = source (Icecast 2.4 still takes SOURCE): the listener's MP3 decodes and the
    title follows a skip as with PUT."""
    ice = icecast()
    long_songs(stream_home, "Long One", "Long Two")
    server = stream_server(feed_config(ice, protocol="source"))
    hear_a_skip_through_icecast(ice, server, connect(server), stream_home, listen)
    ice.stop()     # Icecast logs a source's request when it ends
    assert '"SOURCE /live HTTP/1.0" 200' in ice.access_log()


def test_tls_to_icecast_with_its_self_signed_certificate_in_cafile(
        icecast, stream_home, stream_server, connect, listen):
    """tls = True with Icecast's own certificate as cafile: the source and the title updates
    go over Icecast's TLS port; a listener on Icecast gets MP3 that decodes, the title follows."""
    ice = icecast(tls=True)
    long_songs(stream_home, "Long One", "Long Two")
    server = stream_server(feed_config(ice, tls=True, cafile=ice.ca_file))
    hear_a_skip_through_icecast(ice, server, connect(server), stream_home, listen)
    assert f"Icecast feed connected to 127.0.0.1:{ice.tls_port}/live" in server.log()
    assert not error_lines(server.log()), server.log()
    ice.stop()     # Icecast logs a source's request when it ends
    assert '"PUT /live HTTP/1.1" 200' in ice.access_log()


def test_an_untrusted_icecast_certificate_is_one_clear_error(
        icecast, stream_home, stream_server, connect):
    """tls = True without cafile: the self-signed certificate is refused with one error line
    that says so, nothing reaches Icecast, and the API shows the reason."""
    ice = icecast(tls=True)
    server = stream_server(feed_config(ice, tls=True))
    client = connect(server)
    message = (f"Icecast's TLS certificate at 127.0.0.1:{ice.tls_port} is not trusted "
               f"(self-signed certificate)")
    assert poll(lambda: f"{message}; give the file of the CA that signed it, or turn "
                        f"verification off again; next attempt in 2 s" in server.log(),
                20), server.log()
    errors = error_lines(server.log())
    assert len(errors) == 1 and message in errors[0], errors
    state = feed_state(client)
    assert state["state"] == "retrying" and message in state["reason"]
    assert ice.source("/live") is None


def test_verifytls_off_accepts_any_certificate(icecast, stream_home, stream_server, connect):
    """verifytls = False connects to Icecast's self-signed TLS port without a cafile."""
    ice = icecast(tls=True)
    server = stream_server(feed_config(ice, tls=True, verifytls=False))
    client = connect(server)
    assert poll(lambda: ice.source("/live") is not None, 15), server.log()
    assert feed_state(client) == {"state": "connected", "reason": None}


def test_a_missing_cafile_is_named_in_the_error(icecast, stream_home, stream_server, connect):
    """A cafile that does not exist is one error line naming the file."""
    ice = icecast(tls=True)
    missing = f"{stream_home.home}/no-such-ca.pem"
    server = stream_server(feed_config(ice, tls=True, cafile=missing))
    client = connect(server)
    message = f"cannot read the CA file {missing}: No such file or directory"
    assert poll(lambda: message in ((feed_state(client) or {}).get("reason") or ""), 15)
    errors = error_lines(server.log())
    assert len(errors) == 1 and message in errors[0], errors


def test_feed_reconnects_by_itself_when_icecast_comes_back(
        icecast, stream_home, stream_server, connect):
    """Icecast killed and started again on the same port gets our stream again, without help."""
    ice = icecast()
    server = stream_server(feed_config(ice))
    client = connect(server)
    assert poll(lambda: ice.source("/live") is not None, 15), server.log()
    ice.proc.kill()
    ice.proc.wait(10)
    assert poll(lambda: (feed_state(client) or {}).get("state") == "retrying", 15), server.log()
    assert "Icecast feed 127.0.0.1" in server.log()
    ice.start()
    assert poll(lambda: ice.source("/live") is not None, 20), server.log()
    assert poll(lambda: feed_state(client) == {"state": "connected", "reason": None}, 10)
    assert server.log().count("Icecast feed connected to") == 2


def test_a_wrong_source_password_is_one_clear_error_and_the_retries_back_off(
        icecast, stream_home, stream_server, connect):
    """A refused password is one error line naming the mount; later refusals only repeat quietly."""
    ice = icecast(password="the-right-one")
    server = stream_server(feed_config(ice, password="a-wrong-one"))
    client = connect(server)
    message = "Icecast refused the source password for mount /live"
    # the first attempt waits 1 s, the second 2 s (retrymax): the back-off grew
    assert poll(lambda: f"{message} (user 'source' at 127.0.0.1:{ice.port}) again; next "
                        f"attempt in 2 s" in server.log(), 20), server.log()
    errors = error_lines(server.log())
    assert len(errors) == 1 and message in errors[0], errors
    state = feed_state(client)
    assert state["state"] == "retrying" and message in state["reason"]
    assert ice.source("/live") is None


def test_a_musicdb8_icecast_section_does_not_push_anywhere(
        icecast, stream_home, stream_server, connect, listen):
    """[Icecast] naming a reachable server with its password, as MusicDB 8 had it, feeds nothing
    and the stream state has exactly the spec's keys."""
    ice = icecast()
    server = stream_server(f"[Icecast]\nport = {ice.port}\nuser = source\n"
                           f"password = {ice.password}\nmountname = /stream\n")
    client = connect(server)
    queue_and_play(client, stream_home, "Low")
    listener = listen(server, headers={"Authorization": "Basic eDpoYWNrbWU="})
    listener.wait_bytes(BITRATE_BYTES)
    assert ice.source("/stream") is None
    assert list(client.request("GetAudioStreamState")) == [
        "isconnected", "isplaying", "song", "album", "artist", "songtags", "albumtags",
        "hasqueue"]
    assert "Icecast feed" not in server.log()


def test_with_the_stream_disabled_the_feed_is_off_and_says_why(
        icecast, stream_home, stream_server, connect):
    """[debug] disableicecast leaves the feed off; the API names the reason."""
    ice = icecast()
    server = stream_server(feed_config(ice) + "[debug]\ndisableicecast = True\n")
    client = connect(server)
    state = feed_state(client)
    assert state == {"state": "off",
                     "reason": "the audio stream is disabled ([debug] disableicecast)"}
    assert ice.source("/live") is None
