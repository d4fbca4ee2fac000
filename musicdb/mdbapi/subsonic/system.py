"""System endpoints: ping, getLicense, getOpenSubsonicExtensions, tokenInfo, getUser(s),
getInternetRadioStations.

The extensions listed are the ones served: API keys (:mod:`.auth`), form
POST (:mod:`.params`), ``timeOffset`` of a transcode (:mod:`.media`),
structured lyrics (:mod:`.media`) and the index-based play queue
(:mod:`.playqueue`).
"""

from .api import endpoint
from .wire import GENERIC, SubsonicError

EXTENSIONS = [{"name": "apiKeyAuthentication", "versions": [1]},
              {"name": "formPost", "versions": [1]},
              {"name": "indexBasedQueue", "versions": [1]},
              {"name": "songLyrics", "versions": [1]},
              {"name": "transcodeOffset", "versions": [1]}]
LOOPBACK = ("127.0.0.1", "localhost", "::1", "")


@endpoint("ping")
def ping(params, ctx):
    return {}


@endpoint("getLicense")
def get_license(params, ctx):
    return {"license": {"valid": True}}


@endpoint("getOpenSubsonicExtensions", auth=False)
def extensions(params, ctx):
    return {"openSubsonicExtensions": [dict(entry) for entry in EXTENSIONS]}


@endpoint("tokenInfo")
def token_info(params, ctx):
    if ctx.caller.apikey is None:
        raise SubsonicError(GENERIC, "tokenInfo needs API key authentication")
    return {"tokenInfo": {"username": ctx.user}}


def _user(name):
    """The roles of an account: what this server lets every account do."""
    return {"username": name, "scrobblingEnabled": True, "adminRole": False,
                     "settingsRole": False, "downloadRole": True, "uploadRole": False,
                     "playlistRole": True, "coverArtRole": False, "commentRole": False,
                     "podcastRole": False, "streamRole": True, "jukeboxRole": False,
                     "shareRole": False, "videoConversionRole": False, "folder": [1]}


@endpoint("getUser")
def get_user(params, ctx):
    name = params.get("username") or ctx.user
    if name != ctx.user:
        raise SubsonicError(50, "User is not authorized for the given operation.")
    return {"user": _user(name)}


@endpoint("getUsers")
def get_users(params, ctx):
    """Only the caller: no account is an administrator, so no one lists the others."""
    return {"users": {"user": [_user(ctx.user)]}}


@endpoint("getInternetRadioStations")
def radio_stations(params, ctx):
    """The live stream where a player can open it without a password: the external Icecast
    server this one feeds (``[icecastsource]``).  The server's own stream always asks
    for an account, a stream token or the ``[Icecast] password``, so it is not listed."""
    source = getattr(ctx.app.cfg, "icecastsource", None)
    if source is None or not source.enable:
        return {"internetRadioStations": {"internetRadioStation": []}}
    station = {"id": "1", "name": source.name or "MusicDB Stream",
               "streamUrl": _icecast_url(source, ctx.environ)}
    if source.url:
        station["homepageUrl"] = source.url
    return {"internetRadioStations": {"internetRadioStation": [station]}}


def _icecast_url(source, environ):
    """The listeners' URL of the Icecast mount; a loopback host becomes the host the
    client called (the Icecast server runs on this machine)."""
    host = source.host
    if host in LOOPBACK:
        host = environ.get("HTTP_HOST", "").rsplit(":", 1)[0] or "localhost"
    if ":" in host and not host.startswith("["):
        host = "[%s]" % host
    mount = source.mount if source.mount.startswith("/") else "/" + source.mount
    return "%s://%s:%d%s" % ("https" if source.tls else "http", host, source.port, mount)
