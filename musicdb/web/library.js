// The library panel: the genre bar, artists with album tiles, one album, search results.
//
// Long lists are built in pages: the first artists at once, the next page
// when a marker below the last one comes near the visible area, so 20,000
// songs cost no more at the start than a few hundred.

import {ICONS, announce, artworkURL, formatTime, h, iconButton, pretty} from "./dom.js";

const PAGE_SIZE = 24;          // artists per page of the artists view
const SEARCH_DELAY_MS = 200;   // after the last keystroke
const TILE_SCALE = 150;
const COVER_SCALE = 500;

export class Library {
    constructor(conn, root, genreBar, searchInput) {
        this.conn = conn;
        this.root = root;
        this.genreBar = genreBar;
        this.search = searchInput;
        this.tags = {genres: [], subgenres: [], moods: []};   // GetTags
        this.state = null;       // GetMDBState
        this.artists = null;     // GetFilteredArtistsWithAlbums
        this.album = null;       // GetAlbum of the album view
        this.editing = null;     // the song whose tag editor is open
        this.observer = null;
        this.searchTimer = null;
        this.route = {view: "artists"};
        this.listen();
    }

    listen() {
        const conn = this.conn;
        conn.on("broadcast:GetMDBState", (state) => this.stateChanged(state));
        conn.on("broadcast:GetFilteredArtistsWithAlbums", (list) => this.showArtists(list));
        conn.on("broadcast:sys:refresh", () => this.reload());
        conn.on("broadcast:GetTags", (tags) => { this.tags = tags; this.renderGenres(); });
        conn.on("broadcast:GetSong", (song) => this.songChanged(song));
        conn.on("broadcast:GetAlbum", (album) => this.albumChanged(album));
        conn.on("broadcast:HideAlbum", () => this.loadArtists());
        this.search.addEventListener("input", () => this.typed());
        this.search.form.addEventListener("submit", (event) => {
            event.preventDefault();
            this.typed(0);
        });
        this.search.addEventListener("keydown", (event) => {
            if (event.key === "Escape") {
                this.search.value = "";
                location.hash = "#/";
            }
        });
    }

    // After (re)connecting: tags, the genre filter, then the artists.
    async reload() {
        const [tags, state] = await Promise.all([
            this.conn.request("GetTags"), this.conn.request("GetMDBState")]);
        this.tags = tags;
        this.state = state;
        this.renderGenres();
        await this.loadArtists();
        if (this.route.view !== "artists") this.navigate(this.route);
    }

    async loadArtists() {
        this.showArtists(await this.conn.request("GetFilteredArtistsWithAlbums"));
    }

    stateChanged(state) {
        const before = JSON.stringify(this.state && this.state.GenreFilter);
        this.state = state;
        this.renderGenres();
        if (JSON.stringify(state.GenreFilter) !== before) this.loadArtists();
    }

    // -- routing (the hash: #/, #/album/<id>, #/search/<text>) -------------------------

    navigate(route) {
        this.route = route;
        if (route.view === "album") return this.openAlbum(route.id);
        if (route.view === "search") return this.find(route.text, true);
        if (this.artists) this.renderArtists();
        return undefined;
    }

    // -- genres -------------------------------------------------------------------------

    renderGenres() {
        if (!this.state) return;
        const selected = new Set(this.state.GenreFilter || []);
        const genres = [...this.tags.genres].sort((a, b) => (a.posx ?? 0) - (b.posx ?? 0) || a.name.localeCompare(b.name));
        this.genreBar.replaceChildren(h("ul", {}, genres.map((genre) => h("li", {},
            h("button", {
                type: "button", class: "genre", "aria-pressed": String(selected.has(genre.name)),
                onclick: () => this.toggleGenre(genre.name, !selected.has(genre.name)),
            }, genre.name)))));
    }

    toggleGenre(name, value) {
        // Answered by a GetMDBState broadcast to every client (protocol.md §2.4).
        this.conn.call("SetMDBState", {category: "GenreFilter", name, value});
    }

    // -- artists ------------------------------------------------------------------------

    showArtists(list) {
        this.artists = list;
        if (this.route.view === "artists") this.renderArtists();
    }

    renderArtists() {
        const list = this.artists || [];
        const container = h("div", {class: "artists", role: "list", "aria-label": "Artists"});
        const heading = h("h2", {class: "visually-hidden", id: "view-heading", tabindex: "-1"},
            "Artists");
        if (list.length === 0) {
            container.append(h("p", {class: "empty"}, "No albums match the genre filter."));
        }
        this.setView(heading, container);
        this.page(container, list, 0);
        if (list.length && !performance.getEntriesByName("musicdb:artists").length) {
            performance.mark("musicdb:artists");   // the benchmark's "first artist tiles"
        }
    }

    page(container, list, start) {
        const end = Math.min(start + PAGE_SIZE, list.length);
        const fragment = document.createDocumentFragment();
        for (let index = start; index < end; index++) fragment.append(this.artistEntry(list[index]));
        container.append(fragment);
        if (end >= list.length) return;
        const marker = h("div", {class: "more", "aria-hidden": "true"});
        container.append(marker);
        this.observer = new IntersectionObserver((entries) => {
            if (!entries.some((entry) => entry.isIntersecting)) return;
            this.observer.disconnect();
            marker.remove();
            this.page(container, list, end);
        }, {root: this.root, rootMargin: "1200px 0px"});
        this.observer.observe(marker);
    }

    artistEntry(entry) {
        const id = "artist-" + entry.artist.id;
        return h("section", {class: "artist", role: "listitem", "aria-labelledby": id},
            h("h3", {id}, pretty(entry.artist.name)),
            // Find lists plain albums, GetFilteredArtistsWithAlbums {album, tags}.
            h("ul", {class: "tiles"}, entry.albums.map((item) => h("li", {},
                albumTile(item.album || item)))));
    }

    setView(...children) {
        if (this.observer) this.observer.disconnect();
        this.root.replaceChildren(...children);
    }

    // -- one album ----------------------------------------------------------------------

    async openAlbum(albumid) {
        let album;
        try {
            album = await this.conn.request("GetAlbum", {albumid});
        } catch (error) {
            this.setView(h("p", {class: "empty"}, "This album does not exist (any more)."));
            return;
        }
        if (this.route.view !== "album" || this.route.id !== albumid) return;
        this.renderAlbum(album, true);
    }

    albumChanged(album) {
        if (this.album && album.album.id === this.album.album.id) this.renderAlbum(album, false);
    }

    renderAlbum(data, focus) {
        this.album = data;
        const album = data.album;
        const add = (position, cd) => () => this.addAlbum(album, position, cd);
        const cds = data.cds.filter((songs) => songs.length > 0);
        const view = h("article", {class: "album", "aria-labelledby": "view-heading"},
            h("div", {class: "album-head"},
                h("img", {class: "cover", src: artworkURL(album.artworkpath, COVER_SCALE),
                          alt: "Artwork of " + album.name, width: 250, height: 250}),
                h("div", {},
                    h("p", {class: "crumbs"}, h("a", {href: "#/"}, "Artists"), " › ",
                        pretty(data.artist ? data.artist.name : "")),
                    h("h2", {id: "view-heading", tabindex: "-1"}, pretty(album.name)),
                    h("p", {class: "meta"}, [album.release, album.numofsongs + " songs"]
                        .filter(Boolean).join(" · ")),
                    tagChips(data.tags),
                    h("div", {class: "actions"},
                        h("button", {type: "button", onclick: add("next")}, "Play album next"),
                        h("button", {type: "button", onclick: add("last")}, "Add album to queue")))),
            cds.map((songs, index) => h("section", {class: "cd", "aria-label": cds.length > 1
                    ? "CD " + (index + 1) : "Songs"},
                cds.length > 1 ? h("h3", {}, "CD " + (index + 1), " ",
                    h("button", {type: "button", class: "small", onclick: add("last", index)},
                        "Add CD " + (index + 1))) : null,
                h("ol", {class: "songs"}, songs.map((entry) => this.songRow(entry))))));
        const scroll = this.root.scrollTop;
        this.setView(view);
        if (focus) {
            this.root.scrollTop = 0;
            document.getElementById("view-heading").focus({preventScroll: true});
        } else {
            this.root.scrollTop = scroll;
        }
    }

    songRow({song, tags}) {
        const loved = song.favorite === 1;
        const hated = song.favorite === -1;
        const name = pretty(song.name);
        return h("li", {class: "song" + (song.disabled ? " disabled" : ""), dataset: {songid: song.id}},
            h("span", {class: "number"}, song.number || ""),
            h("span", {class: "name"}, name, tagChips(tags, true)),
            h("span", {class: "time"}, formatTime(song.playtime)),
            h("span", {class: "buttons"},
                iconButton("Love " + name, ICONS.love,
                    () => this.statistic(song.id, "favorite", loved ? "none" : "love"),
                    {"aria-pressed": String(loved), class: "icon love"}),
                iconButton("Dislike " + name, ICONS.dislike,
                    () => this.statistic(song.id, "favorite", hated ? "none" : "hate"),
                    {"aria-pressed": String(hated), class: "icon hate"}),
                iconButton("Tags of " + name, ICONS.tag, () => this.toggleEditor(song.id),
                    {"aria-expanded": String(this.editing === song.id), class: "icon tags"}),
                iconButton("Play " + name + " next", ICONS.next, () => this.addSong(song, "next")),
                iconButton("Add " + name + " to the queue", ICONS.last,
                    () => this.addSong(song, "last"), {class: "icon add"})),
            this.editing === song.id ? this.tagEditor(song, tags) : null);
    }

    toggleEditor(songid) {
        this.editing = this.editing === songid ? null : songid;
        for (const cd of this.album.cds) {
            for (const entry of cd) {
                if (entry.song.id === songid) this.redrawSong(entry);
            }
        }
    }

    // Genres and moods as switches; the GetSong broadcast that answers redraws the row.
    tagEditor(song, tags) {
        const set = new Set([...tags.genres, ...tags.subgenres, ...tags.moods].map((t) => t.id));
        const choices = [...this.tags.genres, ...this.tags.subgenres, ...this.tags.moods];
        return h("div", {class: "tag-editor", role: "group", "aria-label": "Tags of " + pretty(song.name)},
            choices.map((tag) => h("button", {
                type: "button", class: "genre", "aria-pressed": String(set.has(tag.id)),
                onclick: () => this.conn.call(set.has(tag.id) ? "RemoveSongTag" : "SetSongTag",
                                              {songid: song.id, tagid: tag.id}),
            }, tag.icontype === 1 && tag.icon ? tag.icon + " " + tag.name : tag.name)));
    }

    // Replace a song's row, keeping the keyboard focus on the same control.
    redrawSong(entry) {
        const row = this.root.querySelector(`li.song[data-songid="${entry.song.id}"]`);
        if (!row) return;
        const active = row.contains(document.activeElement) ? document.activeElement : null;
        const key = active && (active.getAttribute("aria-label") || active.textContent);
        const fresh = this.songRow(entry);
        row.replaceWith(fresh);
        if (key === null) return;
        const again = [...fresh.querySelectorAll("button")].find(
            (button) => (button.getAttribute("aria-label") || button.textContent) === key);
        if (again) again.focus();
    }

    songChanged(data) {
        if (!this.album || !data.album || data.album.id !== this.album.album.id) return;
        for (const cd of this.album.cds) {
            for (const entry of cd) {
                if (entry.song.id === data.song.id) {
                    entry.song = data.song;
                    entry.tags = data.tags;
                }
            }
        }
        this.redrawSong({song: data.song, tags: data.tags});
    }

    statistic(songid, statistic, modifier) {
        // Answered by a GetSong broadcast to every client, which redraws the row.
        this.conn.call("UpdateSongStatistic", {songid, statistic, modifier});
    }

    addSong(song, position) {
        this.conn.call("AddSongToQueue", {songid: song.id, position});
        announce(`${pretty(song.name)} ${position === "next" ? "plays next" : "added to the queue"}`);
    }

    addAlbum(album, position, cd) {
        const args = {albumid: album.id, position};
        if (cd !== undefined) args.cd = cd;
        this.conn.call("AddAlbumToQueue", args);
        announce(`${pretty(album.name)} ${position === "next" ? "plays next" : "added to the queue"}`);
    }

    // -- search -------------------------------------------------------------------------

    typed(delay = SEARCH_DELAY_MS) {
        clearTimeout(this.searchTimer);
        const text = this.search.value.trim();
        this.searchTimer = setTimeout(() => {
            const target = text ? "#/search/" + encodeURIComponent(text) : "#/";
            if (location.hash !== target) history.replaceState(null, "", target);
            this.route = text ? {view: "search", text} : {view: "artists"};
            if (text) this.find(text, false); else this.renderArtists();
        }, delay);
    }

    async find(text, fromURL) {
        if (fromURL) this.search.value = text;
        const found = await this.conn.request("Find", {searchstring: text, limit: 20});
        if (this.route.view !== "search" || this.route.text !== text) return;  // typed on
        this.renderResults(text, found);
    }

    renderResults(text, found) {
        const artists = found.artists.filter((entry) => entry.albums.length > 0);
        const count = artists.length + found.albums.length + found.songs.length;
        const parts = [h("h2", {id: "view-heading", tabindex: "-1"}, `Results for “${text}”`)];
        if (count === 0) parts.push(h("p", {class: "empty"}, "Nothing found."));
        if (artists.length) {
            parts.push(h("h3", {}, "Artists"), h("div", {class: "artists"}, artists.map(
                (entry) => this.artistEntry(entry))));
        }
        if (found.albums.length) {
            parts.push(h("h3", {}, "Albums"), h("ul", {class: "tiles"},
                found.albums.map(({album, artist}) => h("li", {}, albumTile(album, artist)))));
        }
        if (found.songs.length) {
            parts.push(h("h3", {}, "Songs"), h("ol", {class: "songs results"},
                found.songs.map(({song, album, artist}) => this.foundSong(song, album, artist))));
        }
        this.setView(...parts);
        announce(count + " results");
    }

    foundSong(song, album, artist) {
        const name = pretty(song.name);
        return h("li", {class: "song"},
            h("img", {class: "thumb", src: artworkURL(album.artworkpath, TILE_SCALE), alt: "",
                      width: 40, height: 40, loading: "lazy"}),
            h("span", {class: "name"}, name, h("small", {}, pretty(artist.name), " – ",
                h("a", {href: "#/album/" + album.id}, pretty(album.name)))),
            h("span", {class: "time"}, formatTime(song.playtime)),
            h("span", {class: "buttons"},
                iconButton("Play " + name + " next", ICONS.next, () => this.addSong(song, "next")),
                iconButton("Add " + name + " to the queue", ICONS.last,
                    () => this.addSong(song, "last"), {class: "icon add"})));
    }
}

export function albumTile(album, artist) {
    const label = pretty(album.name) + (album.release ? " (" + album.release + ")" : "");
    return h("a", {class: "tile", href: "#/album/" + album.id, dataset: {albumid: album.id}},
        h("img", {src: artworkURL(album.artworkpath, TILE_SCALE), alt: "", width: TILE_SCALE,
                  height: TILE_SCALE, loading: "lazy", decoding: "async"}),
        h("span", {class: "tile-name"}, label),
        artist ? h("span", {class: "tile-artist"}, pretty(artist.name)) : null);
}

function tagChips(tags, small = false) {
    if (!tags) return null;
    const chips = [...tags.genres, ...tags.subgenres, ...tags.moods];
    if (chips.length === 0) return null;
    return h("span", {class: small ? "chips small" : "chips"},
        chips.map((tag) => h("span", {class: "chip"},
            tag.class === 3 && tag.icontype === 1 && tag.icon ? tag.icon + " " + tag.name : tag.name)));
}
