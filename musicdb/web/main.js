// Start-up: connect with the URL and key of config.js, then fill every panel.
//
// On every (re)connection everything is asked for again, so a page that was
// offline catches up; afterwards broadcasts and notifications keep it current.

/* global WEBSOCKET_URL, WEBSOCKET_APIKEY */
import {Connection} from "./api.js";
import {Library} from "./library.js";
import {Player, Queue} from "./queue.js";

const $ = (id) => document.getElementById(id);

function parseRoute(hash) {
    const album = /^#\/album\/(\d+)$/.exec(hash);
    if (album) return {view: "album", id: Number(album[1])};
    const search = /^#\/search\/(.+)$/.exec(hash);
    if (search) return {view: "search", text: decodeURIComponent(search[1])};
    return {view: "artists"};
}

function setupTabs() {
    const tabs = {library: $("tab-library"), queue: $("tab-queue")};
    const show = (name) => {
        document.body.dataset.tab = name;
        for (const [key, button] of Object.entries(tabs)) {
            button.setAttribute("aria-pressed", String(key === name));
        }
    };
    tabs.library.addEventListener("click", () => show("library"));
    tabs.queue.addEventListener("click", () => show("queue"));
    return show;
}

function start() {
    if (typeof WEBSOCKET_URL === "undefined") {
        $("connection").textContent = "No connection settings (config.js did not load)";
        return;
    }
    const conn = new Connection(WEBSOCKET_URL, WEBSOCKET_APIKEY);
    const library = new Library(conn, $("library"), $("genres"), $("search"));
    const player = new Player(conn, {
        play: $("play"), next: $("next"), listen: $("listen"), audio: $("audio"),
        title: $("now-title"), artist: $("now-artist"), artwork: $("now-artwork"),
        bar: $("progress-bar"),
    });
    const queue = new Queue(conn, $("queue"), player);
    player.listen();
    queue.listen();
    const showTab = setupTabs();

    library.route = parseRoute(location.hash);
    window.addEventListener("hashchange", () => {
        const route = parseRoute(location.hash);
        if (route.view === "album") showTab("library");
        if (route.view !== "search") $("search").value = "";
        library.navigate(route);
    });

    const status = $("connection");
    conn.on("open", async () => {
        status.textContent = "Connected";
        status.dataset.state = "open";
        try {
            player.configure(await conn.request("LoadWebUIConfiguration"));
            await Promise.all([library.reload(), queue.load(), player.load()]);
            document.documentElement.dataset.ready = "true";
        } catch (error) {
            status.textContent = "Loading failed: " + error.message;
        }
    });
    conn.on("close", () => {
        status.textContent = "Connection lost – reconnecting…";
        status.dataset.state = "closed";
    });
    conn.open();
    window.musicdb = {conn, library, queue, player};   // for the console and the tests
}

start();
