"""System endpoints: ping, getLicense, getOpenSubsonicExtensions, tokenInfo, getUser."""

from .api import endpoint
from .wire import GENERIC, SubsonicError

EXTENSIONS = [{"name": "apiKeyAuthentication", "versions": [1]},
              {"name": "formPost", "versions": [1]},
              {"name": "songLyrics", "versions": [1]}]


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


@endpoint("getUser")
def get_user(params, ctx):
    name = params.get("username") or ctx.user
    if name != ctx.user:
        raise SubsonicError(50, "User is not authorized for the given operation.")
    return {"user": {"username": name, "scrobblingEnabled": True, "adminRole": False,
                     "settingsRole": False, "downloadRole": True, "uploadRole": False,
                     "playlistRole": False, "coverArtRole": False, "commentRole": False,
                     "podcastRole": False, "streamRole": True, "jukeboxRole": False,
                     "shareRole": False, "videoConversionRole": False, "folder": [1]}}
