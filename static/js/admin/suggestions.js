/*
 * Offers contexts and related stories while a story is edited, ranked by what its text says:
 * words and names of the headline, standfirst and body (or an event's summary), its contexts,
 * and the contexts of the stories its related links point at. Each suggested story shows its
 * kind, date and why it is offered. One click adds a suggestion to the form; nothing is saved
 * until the editor saves. Without this script the form is unchanged.
 */
"use strict";
{
    const DELAY_MS = 400;
    // Enough of a long body to find what it is about, short enough for an address.
    const TEXT_CHARS = 3000;

    const quote = (name) => (/[,\n]/.test(name) || name.startsWith('"') ? `"${name.replaceAll('"', '""')}"` : name);

    function addContext(input, name) {
        if (input.hidden) {
            // The chips (contexts.js) own the field: they add the name, keep it once and announce it.
            input.dispatchEvent(new CustomEvent("dateline:add-context", {detail: {name}}));
            return;
        }
        const terms = input.value.split(/[,\n]/).map((term) => term.trim()).filter(Boolean);
        if (!terms.some((term) => term.replace(/^"|"$/g, "").toLowerCase() === name.toLowerCase())) {
            terms.push(quote(name));
        }
        input.value = terms.join(", ");
        input.dispatchEvent(new Event("change", {bubbles: true}));
    }

    const linkGroup = () => document.querySelector("[id$='related_links-group']");

    // What the related links point at, saved or only typed, except rows marked for deletion: stories
    // chosen in the story field, and addresses (the server knows which of them are its own stories).
    function linkedValues(selector) {
        const group = linkGroup();
        if (!group) {
            return [];
        }
        return [...group.querySelectorAll(selector)]
            .filter((field) => !field.name.includes("__prefix__") && field.value.trim())
            .filter((field) => !field.closest("tr")?.querySelector("input[name$='-DELETE']")?.checked)
            .map((field) => field.value.trim());
    }

    function addRelated(story) {
        const group = linkGroup();
        if (!group) {
            return;
        }
        const empty = () =>
            [...group.querySelectorAll("select[name$='-target']")].find(
                (select) => !select.name.includes("__prefix__") && !select.closest(".empty-form") && !select.value,
            );
        let select = empty();
        if (!select) {
            group.querySelector(".add-row a")?.click();
            select = empty();
        }
        if (!select) {
            return;
        }
        select.append(new Option(story.title, story.id, true, true));
        // The autocomplete widget listens through jQuery; other scripts (reordering) listen natively.
        window.django?.jQuery?.(select).trigger("change");
        select.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function formText() {
        const fields = ["#id_headline", "#id_standfirst", "#id_body", "#id_summary"];
        const text = fields
            .map((selector) => document.querySelector(selector)?.value || "")
            .filter(Boolean)
            .join("\n");
        // Markup says nothing about the story; the server strips it too, but it would use up the length.
        const plain = new DOMParser().parseFromString(text, "text/html").body.textContent || "";
        return plain.replace(/[ \t]+/g, " ").slice(0, TEXT_CHARS);
    }

    function heading(text) {
        const element = document.createElement("h4");
        element.textContent = text;
        return element;
    }

    function addButton(label, onClick) {
        const element = document.createElement("button");
        element.type = "button";
        element.className = "button";
        element.textContent = label;
        element.addEventListener("click", () => {
            onClick();
            element.disabled = true;
            element.textContent = `✓ ${label}`;
        });
        return element;
    }

    function storyItem(story, index) {
        const item = document.createElement("li");
        const meta = document.createElement("span");
        meta.className = "dateline-suggestions__meta";
        meta.id = `dateline-suggestion-${index}`;
        const time = document.createElement("time");
        time.dateTime = story.date;
        time.textContent = story.date_display;
        meta.append(`${story.kind_display}, `, time, story.why ? ` · ${story.why}` : "");
        const button = addButton(`+ ${story.title}`, () => addRelated(story));
        button.setAttribute("aria-describedby", meta.id);
        item.append(button, " ", meta);
        return item;
    }

    let pending;

    async function suggest(box, tags) {
        const query = new URLSearchParams({text: formText()});
        if (tags) {
            query.set("tags", tags.value);
        }
        const linked = linkedValues("select[name$='-target']");
        if (linked.length) {
            query.set("linked", linked.join(","));
        }
        const addresses = linkedValues("input[name$='-url']");
        if (addresses.length) {
            query.set("linked_urls", addresses.join("\n"));
        }
        pending?.abort();
        pending = new AbortController();
        let found;
        try {
            const response = await fetch(`${box.dataset.suggestionsUrl}?${query}`, {
                headers: {Accept: "application/json"},
                credentials: "same-origin",
                signal: pending.signal,
            });
            if (!response.ok) {
                return;
            }
            found = await response.json();
        } catch {
            // A failed or superseded lookup changes nothing: suggestions are optional.
            return;
        }
        const parts = [];
        if (tags && found.tags.length) {
            parts.push(
                heading("Suggested contexts"),
                ...found.tags.map((name) => addButton(`+ ${name}`, () => addContext(tags, name))),
            );
        }
        if (found.related.length) {
            const list = document.createElement("ul");
            list.className = "dateline-suggestions__stories";
            list.append(...found.related.map(storyItem));
            parts.push(heading("Suggested related stories"), list);
        }
        box.replaceChildren(...parts);
        box.hidden = !parts.length;
    }

    function start() {
        const box = document.querySelector("[data-suggestions-url]");
        if (!box) {
            return;
        }
        const tags = document.querySelector("[name='tags']");
        // Shown under the contexts field, where an editor thinks about them.
        (tags?.closest(".form-row") || box.parentElement).append(box);
        let timer;
        const later = () => {
            clearTimeout(timer);
            timer = setTimeout(() => suggest(box, tags), DELAY_MS);
        };
        // Rethought as the text, the contexts and the related links change, so a new story gets them too.
        for (const selector of ["#id_headline", "#id_standfirst", "#id_body", "#id_summary"]) {
            document.querySelector(selector)?.addEventListener("input", later);
        }
        tags?.addEventListener("change", later);
        const group = linkGroup();
        group?.addEventListener("change", later);
        window.django?.jQuery?.(group).on("change", "select[name$='-target']", later);
        suggest(box, tags);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}
