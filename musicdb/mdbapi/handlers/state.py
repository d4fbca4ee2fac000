"""API area state: the MDB state (UI mode, genre filter) and the WebUI configuration.

``app.mdbstate`` (:class:`~musicdb.mdbapi.mdbstate.MDBState`) and
``app.webuiconfig`` (:class:`~musicdb.lib.cfg.webui.WebUIConfig`) are built
in ``server.Initialize``; the stream and queue objects come from the
playback side (``app.audiostream``, ``app.videostream``, ``app.songqueue``,
``app.videoqueue``).
"""

from musicdb.lib.http import webdata
from musicdb.lib.cfg.webui import KEYS as WEBUI_KEYS
from musicdb.lib.ws.errors import InvalidArguments

from . import handler
from .arguments import anything, mapping, string
from .library import no_arguments


@no_arguments("GetMDBState")
def get_mdb_state(args, app):
    """The shared UI state; reading the queue heads may fill an empty queue at random."""
    selection = app.mdbstate.selection(app.database.get_tags())
    return {
        "GenreFilter": selection.genres,
        "SubgenreFilter": selection.subgenres,
        "MusicDB": {"uimode": app.mdbstate.uimode()},
        "audiostream": _audio_state(app),
        "videostream": _video_state(app),
    }


def _audio_state(app):
    state = app.audiostream.state()
    head = app.songqueue.current()
    song = app.database.get_song(head["songid"]) if head else None
    return {"isconnected": bool(state["isconnected"]), "isplaying": bool(state["isplaying"]),
            "currentsong": song}


def _video_state(app):
    state = app.videostream.state()
    video = None
    if not app.cfg.debug.disablevideos:
        head = app.videoqueue.current()
        video = app.database.get_video(head["videoid"]) if head else None
    return {"isstreaming": bool(state["isstreaming"]), "isplaying": bool(state["isplaying"]),
            "currentvideo": video}


@handler("SetMDBState", args={"category": string, "name": string, "value": anything},
         forced=("GetMDBState", None))
def set_mdb_state(args, app):
    """Store one state value; every call is answered by a GetMDBState broadcast.

    A value of the wrong type or an unknown category stores nothing (logged),
    the broadcast still goes out, as in MusicDB 8.
    """
    app.mdbstate.set(args["category"], args["name"], args["value"])


@handler("LoadWebUIConfiguration", raw_args=True, caller=True)
def load_webui_configuration(args, app, caller):
    """The WebUI configuration; our own stream's URL names the host the caller connected to."""
    return app.webuiconfig.load(_server_base(app, caller))


def _server_base(app, caller):
    """``http(s)://<host>:<port>`` of this server as the calling browser reaches it, or None.

    The host comes from the WebSocket request's Host header, exactly as for
    the WebSocket URL in config.js (musicdb.lib.http.webdata).
    """
    environ = getattr(caller, "environ", None)
    if not environ:
        return None
    try:
        port = int(environ.get("SERVER_PORT") or app.cfg.websocket.port)
    except ValueError:
        port = app.cfg.websocket.port
    url = webdata.websocket_url_for(environ, port, tls=app.cfg.websocket.tls)
    return "http" + url[2:] if url.startswith("ws:") else "https" + url[3:]


def _complete_config(value):
    """Validator: the whole configuration must be there before anything is written."""
    mapping(value)
    for section, key, _, _ in WEBUI_KEYS:
        if not isinstance(value.get(section), dict) or key not in value[section]:
            raise ValueError(f"lacks {section}.{key}")
    return value


@handler("SaveWebUIConfiguration", args={"config": _complete_config}, caller=True)
def save_webui_configuration(args, app, caller):
    """Store the WebUI configuration and answer with it as it is stored.

    Unlike MusicDB 8, a configuration with a missing key changes nothing
    (InvalidArguments), and ``%`` in a value is stored.
    """
    try:
        return app.webuiconfig.save(args["config"], _server_base(app, caller))
    except ValueError as error:
        raise InvalidArguments(f"SaveWebUIConfiguration: {error}") from None
