// The MusicDB WebSocket protocol (protocol.md) as promises and events.
//
// A request gets a fncsig of its own ("web:<n>"), so its answer is found
// again whatever else arrives in between.  Everything else the server sends
// becomes an event: broadcasts by their fncname ("broadcast:GetMDBState"),
// notifications by fncname and fncsig ("MusicDB:SongQueue:onSongQueueChanged").
// The server sends a heartbeat every second (onTimeChanged); five silent
// seconds mean the connection is dead, and it is opened again.

const SILENCE_LIMIT_MS = 5000;
const REQUEST_TIMEOUT_MS = 15000;

export class Connection extends EventTarget {
    constructor(url, key) {
        super();
        this.url = url;
        this.key = key;
        this.socket = null;
        this.pending = new Map();   // fncsig -> {resolve, reject, timer}
        this.counter = 0;
        this.retryDelay = 500;
        this.watchdog = null;
    }

    open() {
        const socket = new WebSocket(this.url);
        this.socket = socket;
        socket.addEventListener("open", () => {
            this.retryDelay = 500;
            this.arm();
            this.emit("open");
        });
        socket.addEventListener("message", (event) => this.receive(event.data));
        socket.addEventListener("close", () => this.closed(socket));
    }

    closed(socket) {
        if (socket !== this.socket) return;
        clearTimeout(this.watchdog);
        for (const [, waiter] of this.pending) waiter.reject(new Error("connection closed"));
        this.pending.clear();
        this.emit("close");
        setTimeout(() => this.open(), this.retryDelay);
        this.retryDelay = Math.min(this.retryDelay * 2, 8000);
    }

    arm() {
        clearTimeout(this.watchdog);
        this.watchdog = setTimeout(() => this.socket.close(), SILENCE_LIMIT_MS);
    }

    get isOpen() {
        return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
    }

    send(method, fncname, args, fncsig = null) {
        if (!this.isOpen) return false;
        this.socket.send(JSON.stringify({
            method, fncname, fncsig, arguments: args ?? {}, pass: null, key: this.key,
        }));
        return true;
    }

    // Run a function; nothing comes back (but the forced broadcasts of protocol.md §2.4).
    call(fncname, args) {
        return this.send("call", fncname, args);
    }

    // Run a function; resolves with its answer's arguments.
    request(fncname, args) {
        const fncsig = "web:" + (++this.counter);
        return new Promise((resolve, reject) => {
            if (!this.send("request", fncname, args, fncsig)) {
                reject(new Error("not connected"));
                return;
            }
            const timer = setTimeout(() => {
                this.pending.delete(fncsig);
                reject(new Error(fncname + " was not answered"));
            }, REQUEST_TIMEOUT_MS);
            this.pending.set(fncsig, {resolve, reject, timer});
        });
    }

    receive(text) {
        this.arm();
        let packet;
        try {
            packet = JSON.parse(text);
        } catch (error) {
            return;
        }
        if (packet.method === "notification") {
            if (packet.fncname === "MusicDB:Error") {
                this.failed(packet);
            }
            this.emit(packet.fncname + ":" + packet.fncsig, packet.arguments);
            return;
        }
        const waiter = this.pending.get(packet.fncsig);
        if (waiter !== undefined) {
            this.pending.delete(packet.fncsig);
            clearTimeout(waiter.timer);
            waiter.resolve(packet.arguments);
        }
        if (packet.method === "broadcast") {
            this.emit("broadcast:" + packet.fncname, packet.arguments);
        }
    }

    failed(packet) {
        const details = packet.arguments || {};
        const fncsig = (details.request || {}).fncsig;
        const waiter = this.pending.get(fncsig);
        if (waiter !== undefined) {
            this.pending.delete(fncsig);
            clearTimeout(waiter.timer);
            waiter.reject(new Error(details.message || "the server refused the request"));
        }
    }

    on(name, handler) {
        this.addEventListener(name, (event) => handler(event.detail));
    }

    emit(name, detail) {
        this.dispatchEvent(new CustomEvent(name, {detail}));
    }
}
