"""The Subsonic and OpenSubsonic endpoints this server does not offer: error 0, "not supported".

Podcasts, shares, chat, video, jukebox, bookmarks, user management, HLS,
library scans, internet radio management and the newer OpenSubsonic
proposals.  The caller is authenticated first (a wrong password is still
40), and the answer is never a fake success nor "unknown endpoint" (70).
Names from the OpenSubsonic API specification (``openapi/endpoints/``).
"""

from .api import endpoint
from .wire import GENERIC, SubsonicError

NAMES = (
    # podcasts
    "getPodcasts", "getNewestPodcasts", "getPodcastEpisode", "refreshPodcasts",
    "createPodcastChannel", "deletePodcastChannel", "deletePodcastEpisode",
    "downloadPodcastEpisode",
    # shares and chat
    "getShares", "createShare", "updateShare", "deleteShare",
    "getChatMessages", "addChatMessage",
    # video and HLS
    "getVideos", "getVideoInfo", "getCaptions", "hls",
    # jukebox, bookmarks
    "jukeboxControl", "getBookmarks", "createBookmark", "deleteBookmark",
    # user management, avatars
    "createUser", "updateUser", "deleteUser", "changePassword", "getAvatar",
    # scans, internet radio management, the old search
    "startScan", "getScanStatus", "createInternetRadioStation",
    "updateInternetRadioStation", "deleteInternetRadioStation", "search",
    # OpenSubsonic extensions and proposals we do not implement
    "getTranscodeDecision", "getTranscodeStream", "reportPlayback", "getSonicSimilarTracks",
    "findSonicPath", "getPublicImageUrl", "getPlayQueue2", "savePlayQueue2",
    "getPlaylistFolders", "createPlaylistFolder", "deletePlaylistFolder", "movePlaylist",
    "getCollections", "getCollection", "createCollection", "updateCollection",
    "deleteCollection", "getLibraryAlbums", "getLibraryArtists", "getLibrarySongs",
    "getLibraryFacetValues", "findPath", "similarTracks")


@endpoint(*NAMES)
def not_supported(params, ctx):
    raise SubsonicError(GENERIC, "not supported")
