"""Media files: tags, MPEG frames, transcoding and album artwork.

One module per job, one error family: every error raised on purpose derives
from :class:`~musicdb.lib.media.errors.MediaError`, so a caller that only
needs "this file or image is unusable" catches that one class.

* :mod:`.tags`       read metadata and embedded artwork (mutagen)
* :mod:`.tagwriter`  write tags and embedded artwork (mutagen)
* :mod:`.mp3`        MPEG audio frame headers, a frame parser, silence
* :mod:`.transcoder` frames of a song in the stream's format (ffmpeg)
* :mod:`.artwork`    the artwork files of the WebUI (Pillow)

The modules are not imported here: the stream needs no Pillow, the importer
no gevent subprocess.
"""

from musicdb.lib.media.errors import MediaError

__all__ = ["MediaError"]
