"""A fresh music database filled by plain SQL inserts (no audio files behind the rows).

Query, filter, queue and Randy tests stay fast this way, and can create states
an import never would (NULL years, stale tag rows, odd classes).  The default
names are not ASCII, so every test also checks that names pass unchanged.
"""

from musicdb.lib.db.musicdb import MusicDatabase


class Library:
    """A MusicDatabase with ``add_*`` helpers; every helper returns the new row ID."""

    def __init__(self, path):
        self.db = MusicDatabase(path)

    def close(self):
        self.db.close()

    def _insert(self, table, values):
        names = ", ".join(values)
        marks = ", ".join("?" * len(values))
        return self.db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                               tuple(values.values())).lastrowid

    def add_artist(self, name="Sömé Bänd", **overrides):
        return self._insert("artists", {"name": name, "path": name, **overrides})

    def add_album(self, artistid, name="Röads", release=2011, **overrides):
        artist = self.db.get_artist(artistid)
        values = {"artistid": artistid, "name": name,
                  "path": f"{artist['path']}/{release} - {name}", "numofsongs": 0,
                  "numofcds": 1, "origin": "CD", "release": release, "added": 1650000000,
                  "hidden": 0, **overrides}
        return self._insert("albums", values)

    def add_song(self, albumid, name="Sòng", number=1, cd=1, recount=True, **overrides):
        """A song of ``albumid``; ``recount`` updates the album's song and CD counts."""
        album = self.db.get_album(albumid)
        values = {"albumid": albumid, "artistid": album["artistid"], "name": name,
                  "path": f"{album['path']}/{cd}-{number:02d} {name}.mp3", "number": number,
                  "cd": cd, "disabled": 0, "playtime": 200, "bitrate": 320000, **overrides}
        songid = self._insert("songs", values)
        if recount:
            self.db.recount_album(albumid)
        return songid

    def add_video(self, artistid, name="Vidéo", release=2001, **overrides):
        artist = self.db.get_artist(artistid)
        values = {"artistid": artistid, "name": name,
                  "path": f"{artist['path']}/{release} - {name}.m4v", "playtime": 180,
                  "origin": "internet", "release": release, "added": 1650000000,
                  "codec": "h264", "xresolution": 1920, "yresolution": 1080, **overrides}
        return self._insert("videos", values)

    def add_tag(self, name, tagclass=1, parentid=None, **overrides):
        return self._insert("tags", {"name": name, "class": tagclass, "parentid": parentid,
                                     **overrides})

    def tag(self, target, objectid, tagid, confidence=1.0, approval=1):
        """Assign a tag to a "song", "album" or "video"; returns the mapping row ID."""
        return self._insert(f"{target}tags", {f"{target}id": objectid, "tagid": tagid,
                                              "confidence": confidence, "approval": approval})

    def add_lyrics(self, songid, text):
        self._insert("lyrics", {"songid": songid, "lyrics": text})

    def add_artists_with_songs(self, artists=4, albums=2, songs=3):
        """``artists`` artists with ``albums`` albums of ``songs`` songs; returns all song IDs."""
        ids = []
        for a in range(artists):
            artistid = self.add_artist(f"Artist {a}")
            for b in range(albums):
                albumid = self.add_album(artistid, f"Album {a}.{b}")
                ids += [self.add_song(albumid, f"Song {a}.{b}.{n}", number=n + 1)
                        for n in range(songs)]
        return ids
