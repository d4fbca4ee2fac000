// The queue panel and the player bar: what plays, what comes, the stream in this browser.
//
// The server's stream is shared: play/pause (SetAudioStreamState) and skip
// (PlayNextSong) act for every listener.  "Listen here" plays the live
// stream in this page's <audio> element; the session cookie goes along
// because the stream is on this origin.

import {ICONS, announce, artworkURL, formatTime, h, iconButton, pretty} from "./dom.js";

const MAX_SHOWN = 200;   // queue entries drawn; a longer queue says how many more follow

export class Queue {
    constructor(conn, list, player) {
        this.conn = conn;
        this.list = list;
        this.player = player;
        this.entries = [];
    }

    listen() {
        const conn = this.conn;
        conn.on("MusicDB:SongQueue:onSongQueueChanged", () => this.load());
        conn.on("MusicDB:SongQueue:onSongChanged", () => this.player.load());
        conn.on("broadcast:GetSong", (data) => this.songChanged(data));
    }

    async load() {
        this.entries = await this.conn.request("GetSongQueue");
        this.render();
    }

    songChanged(data) {
        if (this.entries.some((entry) => entry.song.id === data.song.id)) this.load();
    }

    render() {
        const focused = document.activeElement && this.list.contains(document.activeElement)
            ? document.activeElement.getAttribute("aria-label") : null;
        const entries = this.entries;
        const rows = entries.slice(0, MAX_SHOWN).map((entry, index) => this.row(entry, index));
        if (entries.length > MAX_SHOWN) {
            rows.push(h("li", {class: "more-songs"}, `and ${entries.length - MAX_SHOWN} more songs`));
        }
        if (entries.length === 0) rows.push(h("li", {class: "empty"}, "The queue is empty."));
        this.list.replaceChildren(...rows);
        if (focused) {
            const again = [...this.list.querySelectorAll("button")]
                .find((button) => button.getAttribute("aria-label") === focused);
            if (again) again.focus();
        }
    }

    row(entry, index) {
        const {song, album, artist} = entry;
        const name = pretty(song.name);
        const last = this.entries.length - 1;
        const current = index === 0;
        return h("li", {class: "entry" + (current ? " current" : ""),
                        dataset: {entryid: entry.entryid, songid: song.id},
                        "aria-current": current ? "true" : null},
            h("img", {class: "thumb", src: artworkURL(album && album.artworkpath, 150), alt: "",
                      width: 40, height: 40, loading: "lazy"}),
            h("span", {class: "name"},
                h("span", {class: "title"}, name),
                h("small", {}, pretty(artist ? artist.name : ""),
                    entry.israndom ? h("span", {class: "random", title: "Picked by Randy"}, " · random")
                        : null)),
            h("span", {class: "time"}, formatTime(song.playtime)),
            current ? h("span", {class: "buttons now"}, "Now") : h("span", {class: "buttons"},
                iconButton("Move " + name + " up", ICONS.up, () => this.move(index, index - 2),
                    {disabled: index < 2}),
                iconButton("Move " + name + " down", ICONS.down, () => this.move(index, index + 1),
                    {disabled: index >= last}),
                iconButton("Remove " + name + " from the queue", ICONS.remove,
                    () => this.remove(entry), {class: "icon remove"})));
    }

    // Put entry `index` behind entry `after` (MoveSongInQueue moves behind an entry).
    move(index, after) {
        const entry = this.entries[index];
        const target = this.entries[after];
        if (!entry || !target || after < 0) return;
        this.conn.call("MoveSongInQueue", {entryid: entry.entryid, afterid: target.entryid});
    }

    remove(entry) {
        this.conn.call("RemoveSongFromQueue", {entryid: entry.entryid});
        announce(pretty(entry.song.name) + " removed from the queue");
    }
}

export class Player {
    constructor(conn, elements) {
        this.conn = conn;
        this.el = elements;   // play, next, listen, audio, title, artist, artwork, bar
        this.state = null;    // GetAudioStreamState
        this.streamURL = null;
        this.elapsed = 0;
    }

    listen() {
        const {conn, el} = this;
        conn.on("MusicDB:AudioStream:onStatusChanged", () => this.load());
        conn.on("MusicDB:AudioStream:onTimeChanged", (seconds) => this.progress(seconds));
        conn.on("broadcast:SaveWebUIConfiguration", (config) => this.configure(config));
        el.play.addEventListener("click", () => this.playPause());
        el.next.addEventListener("click", () => this.next());
        el.listen.addEventListener("click", () => this.toggleListening());
        for (const name of ["playing", "pause", "emptied", "error", "ended"]) {
            el.audio.addEventListener(name, () => this.listening(!el.audio.paused && !el.audio.error));
        }
        if ("mediaSession" in navigator) {
            const session = navigator.mediaSession;
            session.setActionHandler("play", () => this.setPlaying(true));
            session.setActionHandler("pause", () => this.setPlaying(false));
            session.setActionHandler("nexttrack", () => this.next());
        }
    }

    configure(config) {
        const url = config && config.Stream && config.Stream.url;
        this.streamURL = url || "/stream";
    }

    async load() {
        this.state = await this.conn.request("GetAudioStreamState");
        this.render();
    }

    render() {
        const {el, state} = this;
        const playing = Boolean(state && state.isplaying);
        el.play.setAttribute("aria-pressed", String(playing));
        el.play.setAttribute("aria-label", playing ? "Pause" : "Play");
        el.play.classList.toggle("playing", playing);
        if (!state || !state.hasqueue) {
            el.title.textContent = "Nothing queued";
            el.artist.textContent = "";
            el.artwork.src = "app/icon.svg";
            return;
        }
        el.title.textContent = pretty(state.song.name);
        el.artist.textContent = pretty(state.artist.name) + " – " + pretty(state.album.name);
        el.artwork.src = artworkURL(state.album.artworkpath, 150);
        el.artwork.alt = "";
        this.updateMediaSession();
    }

    updateMediaSession() {
        if (!("mediaSession" in navigator) || !window.MediaMetadata) return;
        const {song, artist, album} = this.state;
        const src = new URL(artworkURL(album.artworkpath, 500), location.href).href;
        navigator.mediaSession.metadata = new MediaMetadata({
            title: pretty(song.name), artist: pretty(artist.name), album: pretty(album.name),
            artwork: [{src, sizes: "500x500", type: "image/jpeg"}],
        });
        navigator.mediaSession.playbackState = this.state.isplaying ? "playing" : "paused";
    }

    progress(seconds) {
        this.elapsed = seconds;
        const length = this.state && this.state.hasqueue ? this.state.song.playtime : 0;
        const share = length > 0 ? Math.min(1, seconds / length) : 0;
        this.el.bar.style.transform = `scaleX(${share})`;
    }

    playPause() {
        this.setPlaying(!(this.state && this.state.isplaying));
    }

    // The server's stream for everyone; starting it also starts it here.
    setPlaying(playing) {
        this.conn.call("SetAudioStreamState", {state: playing ? "play" : "pause"});
        if (playing && this.el.audio.paused) this.startAudio();
    }

    next() {
        this.conn.call("PlayNextSong");
    }

    toggleListening() {
        if (this.el.audio.paused) this.startAudio(); else this.stopAudio();
    }

    startAudio() {
        const audio = this.el.audio;
        // A fresh URL each time: a live stream must not resume from a stale buffer.
        audio.src = (this.streamURL || "/stream") + (this.streamURL && this.streamURL.includes("?")
            ? "&" : "?") + "t=" + Date.now();
        audio.play().catch((error) => announce("The stream does not play here: " + error.message));
    }

    stopAudio() {
        const audio = this.el.audio;
        audio.pause();
        audio.removeAttribute("src");
        audio.load();
    }

    listening(on) {
        this.el.listen.setAttribute("aria-pressed", String(on));
        this.el.listen.textContent = on ? "Listening" : "Listen";
    }
}
