/*
 * Turns a contexts field into chips: one chip per context, however many words it has.
 *
 * Without this script the field is a text box where contexts are separated by commas or new
 * lines. With it, that box is hidden and kept in step with the chips, so the server reads the
 * same text either way. Enter or a comma adds what was typed (or the highlighted suggestion);
 * arrow keys move through suggestions of existing contexts; a chip goes with a click on its
 * "×" or Backspace in the empty entry. Changes are announced to screen readers.
 *
 * Other scripts add a context with `field.dispatchEvent(new CustomEvent("dateline:add-context",
 * {detail: {name}}))` on the hidden box; every change fires "change" on it.
 */
"use strict";
{
    const DELAY_MS = 150;
    const SEPARATORS = ",\n\r";

    // The same reading as the server's (newsroom/tags.py): separators outside double quotes split
    // names, a quote opens only at the start of a name, and "" inside quotes is one quote.
    function parse(text) {
        const pieces = [];
        let piece = "";
        let quoted = false;
        for (let index = 0; index < text.length; index++) {
            const char = text[index];
            if (quoted) {
                if (char === '"') {
                    if (text[index + 1] === '"') {
                        piece += '"';
                        index++;
                    } else {
                        quoted = false;
                    }
                } else {
                    piece += char;
                }
            } else if (SEPARATORS.includes(char)) {
                pieces.push(piece);
                piece = "";
            } else if (char === '"' && !piece.trim()) {
                piece = "";
                quoted = true;
            } else {
                piece += char;
            }
        }
        pieces.push(piece);
        return pieces.map(clean).filter(Boolean);
    }

    // Where the last complete name in ``text`` ends (its last separator outside quotes, or -1),
    // and whether the text ends inside an open quote.
    function scan(text) {
        let quoted = false;
        let start = true;
        let found = -1;
        for (let index = 0; index < text.length; index++) {
            const char = text[index];
            if (quoted) {
                quoted = char !== '"';
            } else if (SEPARATORS.includes(char)) {
                found = index;
                start = true;
            } else if (char === '"' && start) {
                quoted = true;
            } else if (char.trim()) {
                start = false;
            }
        }
        return {found, quoted};
    }

    const clean = (name) => name.replace(/\s+/g, " ").trim();
    const key = (name) => name.toLocaleLowerCase();
    const quote = (name) =>
        /[,\n\r]/.test(name) || name.startsWith('"') ? `"${name.replaceAll('"', '""')}"` : name;

    let counter = 0;

    function enhance(field) {
        counter += 1;
        const id = field.id || `contexts-${counter}`;
        const url = field.dataset.contextSuggestions;
        const label = document.querySelector(`label[for="${id}"]`);

        const box = document.createElement("div");
        box.className = "dateline-chips";
        const chips = document.createElement("ul");
        chips.className = "dateline-chips__list";
        // Neither list repeats the field's label, so the field is found once by it ("Contexts").
        chips.setAttribute("aria-label", "Already chosen");
        const entry = document.createElement("input");
        entry.type = "text";
        entry.id = `${id}_entry`;
        entry.className = "dateline-chips__entry";
        entry.autocomplete = "off";
        entry.setAttribute("role", "combobox");
        entry.setAttribute("aria-autocomplete", "list");
        entry.setAttribute("aria-expanded", "false");
        const listbox = document.createElement("ul");
        listbox.id = `${id}_suggestions`;
        listbox.className = "dateline-chips__suggestions";
        listbox.setAttribute("role", "listbox");
        listbox.setAttribute("aria-label", "Suggestions");
        listbox.hidden = true;
        entry.setAttribute("aria-controls", listbox.id);
        const hint = document.createElement("span");
        hint.id = `${id}_hint`;
        hint.className = "visually-hidden";
        hint.textContent =
            "Type a context and press Enter or comma to add it. Use the arrow keys to choose an existing one. " +
            "Backspace in an empty box removes the last context.";
        const helpId = field.getAttribute("aria-describedby");
        entry.setAttribute("aria-describedby", [hint.id, helpId].filter(Boolean).join(" "));
        const status = document.createElement("div");
        status.className = "visually-hidden";
        status.setAttribute("role", "status");
        status.setAttribute("aria-live", "polite");

        box.append(chips, entry, listbox, hint, status);
        field.after(box);
        field.hidden = true;
        // The label now names the box the editor types in.
        if (label) {
            label.htmlFor = entry.id;
        }

        let names = parse(field.value);
        let options = [];
        let active = -1;
        let timer;
        let pending;

        const announce = (text) => {
            status.textContent = text;
        };

        function sync() {
            field.value = names.map(quote).join(", ");
            field.dispatchEvent(new Event("change", {bubbles: true}));
        }

        function render() {
            chips.replaceChildren(
                ...names.map((name, index) => {
                    const chip = document.createElement("li");
                    chip.className = "dateline-chip";
                    const text = document.createElement("span");
                    text.textContent = name;
                    const remove = document.createElement("button");
                    remove.type = "button";
                    remove.className = "dateline-chip__remove";
                    remove.textContent = "×";
                    remove.setAttribute("aria-label", `Remove ${name}`);
                    remove.addEventListener("click", () => {
                        removeAt(index);
                        entry.focus();
                    });
                    chip.append(text, remove);
                    return chip;
                }),
            );
            chips.hidden = !names.length;
        }

        function add(text) {
            const added = [];
            for (const name of parse(text)) {
                if (!names.some((taken) => key(taken) === key(name))) {
                    names.push(name);
                    added.push(name);
                }
            }
            if (added.length) {
                render();
                sync();
                announce(`Added ${added.join(", ")}. ${names.length} chosen.`);
            } else if (text.trim()) {
                announce(`${clean(text)} is already chosen.`);
            }
            return added.length;
        }

        function removeAt(index) {
            const [gone] = names.splice(index, 1);
            render();
            sync();
            announce(`Removed ${gone}. ${names.length} chosen.`);
        }

        function close() {
            listbox.hidden = true;
            listbox.replaceChildren();
            entry.setAttribute("aria-expanded", "false");
            entry.removeAttribute("aria-activedescendant");
            options = [];
            active = -1;
        }

        function highlight(index) {
            active = index;
            options.forEach((option, at) => option.setAttribute("aria-selected", String(at === index)));
            if (index >= 0) {
                entry.setAttribute("aria-activedescendant", options[index].id);
                options[index].scrollIntoView({block: "nearest"});
            } else {
                entry.removeAttribute("aria-activedescendant");
            }
        }

        function choose(name) {
            add(quote(name));
            entry.value = "";
            close();
            entry.focus();
        }

        function show(found) {
            const taken = new Set(names.map(key));
            const fresh = found.filter((name) => !taken.has(key(name)));
            if (!fresh.length) {
                close();
                return;
            }
            // A lookup that answers after the editor has started moving through the list keeps their choice.
            const kept = active >= 0 && options[active] ? options[active].textContent : null;
            options = fresh.map((name, index) => {
                const option = document.createElement("li");
                option.id = `${listbox.id}-${index}`;
                option.setAttribute("role", "option");
                option.setAttribute("aria-selected", "false");
                option.textContent = name;
                // Pressing the mouse would move focus out of the entry before the click lands.
                option.addEventListener("mousedown", (event) => event.preventDefault());
                option.addEventListener("click", () => choose(name));
                return option;
            });
            listbox.replaceChildren(...options);
            listbox.hidden = false;
            entry.setAttribute("aria-expanded", "true");
            active = -1;
            if (kept !== null && fresh.includes(kept)) {
                highlight(fresh.indexOf(kept));
                return;
            }
            announce(`${fresh.length} existing context${fresh.length === 1 ? "" : "s"} found; use the arrow keys.`);
        }

        async function suggest() {
            const typed = clean(entry.value.replace(/^"/, ""));
            pending?.abort();
            if (!typed || !url) {
                close();
                return;
            }
            pending = new AbortController();
            try {
                const response = await fetch(`${url}?q=${encodeURIComponent(typed)}`, {
                    headers: {Accept: "application/json"},
                    credentials: "same-origin",
                    signal: pending.signal,
                });
                if (!response.ok) {
                    return;
                }
                show((await response.json()).results);
            } catch {
                // A failed or superseded lookup changes nothing: suggestions are optional.
            }
        }

        // An open quote lets a comma into a name, as in the text box.
        const insideQuotes = () => scan(entry.value).quoted;

        function commit() {
            if (active >= 0 && options[active]) {
                choose(options[active].textContent);
                return true;
            }
            if (!entry.value.trim()) {
                return false;
            }
            add(entry.value);
            entry.value = "";
            close();
            return true;
        }

        entry.addEventListener("keydown", (event) => {
            if (event.key === "ArrowDown" || event.key === "ArrowUp") {
                if (!options.length) {
                    return;
                }
                event.preventDefault();
                const last = options.length - 1;
                if (event.key === "ArrowDown") {
                    highlight(active >= last ? 0 : active + 1);
                } else {
                    highlight(active <= 0 ? last : active - 1);
                }
            } else if (event.key === "Enter") {
                // Enter in an empty box still submits the form, as everywhere else in the admin.
                if (commit()) {
                    event.preventDefault();
                }
            } else if (event.key === "," && !insideQuotes()) {
                event.preventDefault();
                commit();
            } else if (event.key === "Escape" && options.length) {
                event.preventDefault();
                close();
            } else if (event.key === "Backspace" && !entry.value && names.length) {
                event.preventDefault();
                removeAt(names.length - 1);
            }
        });

        entry.addEventListener("input", () => {
            // Pasted lists (commas or one per line) become chips at once; the last name stays to finish.
            const cut = scan(entry.value).found;
            if (cut >= 0) {
                add(entry.value.slice(0, cut));
                entry.value = entry.value.slice(cut + 1).trimStart();
            }
            clearTimeout(timer);
            timer = setTimeout(suggest, DELAY_MS);
        });

        // What was typed but not yet added is kept, not lost, when the editor leaves or saves.
        entry.addEventListener("blur", (event) => {
            // Going to a chip's remove button must not redraw the chips under the pointer first.
            if (chips.contains(event.relatedTarget)) {
                close();
                return;
            }
            if (entry.value.trim() && !insideQuotes()) {
                add(entry.value);
                entry.value = "";
            }
            close();
        });
        field.form?.addEventListener("submit", () => {
            if (entry.value.trim()) {
                add(entry.value);
                entry.value = "";
            }
        });

        field.addEventListener("dateline:add-context", (event) => {
            add(quote(event.detail.name));
        });

        render();
    }

    function start() {
        document.querySelectorAll("[data-context-suggestions]").forEach(enhance);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}
