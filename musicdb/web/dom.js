// Small helpers to build the page: elements, artwork URLs, times, announcements.

// h("button", {class: "x", onclick: f}, "text", child) -> an element.
export function h(tag, attributes = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
        if (value === undefined || value === null || value === false) continue;
        if (name.startsWith("on")) {
            element.addEventListener(name.slice(2), value);
        } else if (name === "dataset") {
            Object.assign(element.dataset, value);
        } else {
            element.setAttribute(name, value === true ? "" : value);
        }
    }
    for (const child of children.flat()) {
        if (child === undefined || child === null || child === false) continue;
        element.append(child instanceof Node ? child : String(child));
    }
    return element;
}

// The artwork of an album as the legacy WebUI names it (api-uploads.md):
// webdata/artwork/<N>x<N>/<artworkpath>; default.jpg exists only unscaled.
export function artworkURL(artworkpath, scale) {
    const name = artworkpath || "default.jpg";
    const slash = name.lastIndexOf("/") + 1;
    const subdir = scale && name !== "default.jpg" ? scale + "x" + scale + "/" : "";
    return "/musicdb/webdata/artwork/" + encodeURI(subdir + name.slice(0, slash))
        + encodeURIComponent(name.slice(slash));
}

// Names as the legacy WebUI shows them: " - " as an en dash, "∕" as a slash.
export function pretty(name) {
    return String(name ?? "").replaceAll(" - ", " – ").replaceAll(" ∕ ", " / ");
}

export function formatTime(seconds) {
    const whole = Math.max(0, Math.floor(seconds || 0));
    return Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
}

export function announce(text) {
    const region = document.getElementById("announce");
    region.textContent = "";
    requestAnimationFrame(() => { region.textContent = text; });
}

// An icon button: an SVG path and an accessible name.
export function iconButton(label, path, onclick, attributes = {}) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const shape = document.createElementNS("http://www.w3.org/2000/svg", "path");
    shape.setAttribute("d", path);
    shape.setAttribute("fill-rule", "evenodd");
    svg.append(shape);
    return h("button", {type: "button", class: "icon", "aria-label": label, title: label,
                        onclick, ...attributes}, svg);
}

export const ICONS = {
    next: "M4 11h10V7l6 5-6 5v-4H4z",          // insert next
    last: "M4 6h12v2H4zm0 5h12v2H4zm0 5h8v2H4zm13-1v-3h2v3h3v2h-3v3h-2v-3h-3v-2z",
    remove: "M6 6l12 12M18 6L6 18",
    up: "M12 6l6 7h-4v5h-4v-5H6z",
    down: "M12 18l-6-7h4V6h4v5h4z",
    tag: "M3 12V4h8l10 10-8 8zm4-4.5a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z",
    love: "M12 20s-7-4.4-9-8.6C1.6 8.3 3.4 5 6.6 5c2 0 3.4 1.2 5.4 3.3C14 6.2 15.4 5 17.4 5c3.2 0 5 3.3 3.6 6.4C19 15.6 12 20 12 20z",
    dislike: "M4 4l16 16M12 20s-7-4.4-9-8.6C1.6 8.3 3.4 5 6.6 5c1 0 1.9.3 2.7.9M14.7 5.9c.8-.6 1.7-.9 2.7-.9 3.2 0 5 3.3 3.6 6.4-.5 1-1.3 2-2.2 3",
};
