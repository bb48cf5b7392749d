/*
 * Suggests existing contexts while an editor types in a contexts field.
 *
 * The field stays taggit's comma-separated text input and works without this
 * script. With it, the last term being typed is looked up in the admin and the
 * matches are offered through a <datalist>; each suggestion is the whole field
 * value with that last term completed, because a datalist replaces the value.
 */
"use strict";
{
    const DELAY_MS = 150;

    // Names holding a comma or a quote must be quoted for taggit to read them as one context.
    const quote = (name) => (/[,"]/.test(name) ? `"${name.replaceAll('"', "")}"` : name);
    const bare = (term) => term.trim().replace(/^"|"$/g, "").toLowerCase();

    function enhance(input) {
        const url = input.dataset.contextSuggestions;
        const list = document.createElement("datalist");
        list.id = `${input.id || "contexts"}-suggestions`;
        input.after(list);
        input.setAttribute("list", list.id);

        let timer;
        let pending;

        async function suggest() {
            const terms = input.value.split(",");
            const typing = terms.pop().trim();
            const chosen = terms.map((term) => term.trim()).filter(Boolean);
            pending?.abort();
            if (!typing) {
                list.replaceChildren();
                return;
            }
            pending = new AbortController();
            let names;
            try {
                const response = await fetch(`${url}?q=${encodeURIComponent(typing)}`, {
                    headers: {Accept: "application/json"},
                    credentials: "same-origin",
                    signal: pending.signal,
                });
                if (!response.ok) {
                    return;
                }
                names = (await response.json()).results;
            } catch {
                // A failed or superseded lookup leaves the field as it is: suggestions are optional.
                return;
            }
            const taken = new Set(chosen.map(bare));
            const before = chosen.length ? `${chosen.join(", ")}, ` : "";
            list.replaceChildren(
                ...names
                    .filter((name) => !taken.has(name.toLowerCase()))
                    .map((name) => {
                        const option = document.createElement("option");
                        // The trailing comma lets the editor type the next context straight away,
                        // and keeps taggit from splitting a one-context value on its spaces.
                        option.value = `${before}${quote(name)}, `;
                        return option;
                    }),
            );
        }

        input.addEventListener("input", () => {
            clearTimeout(timer);
            timer = setTimeout(suggest, DELAY_MS);
        });
    }

    function start() {
        document.querySelectorAll("input[data-context-suggestions]").forEach(enhance);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}
