/*
 * Offers contexts and related stories while a story is edited, drawn from stories
 * sharing its contexts and headline words. One click adds a suggestion to the form;
 * nothing is saved until the editor saves. Without this script the form is unchanged.
 */
"use strict";
{
    const quote = (name) => (/[,\n]/.test(name) || name.startsWith('"') ? `"${name.replaceAll('"', '""')}"` : name);

    function button(label, onClick) {
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

    function addRelated(story) {
        const group = document.querySelector("[id$='related_links-group']");
        if (!group) {
            return;
        }
        const empty = () =>
            [...group.querySelectorAll("select[name$='-target']")].find(
                (select) => !select.name.includes("__prefix__") && !select.value,
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
        // The autocomplete widget listens through jQuery; a plain event is enough without it.
        if (window.django?.jQuery) {
            window.django.jQuery(select).trigger("change");
        } else {
            select.dispatchEvent(new Event("change", {bubbles: true}));
        }
    }

    const DELAY_MS = 400;

    async function suggest(box, tags, text) {
        const query = new URLSearchParams({text: text?.value || ""});
        if (tags) {
            query.set("tags", tags.value);
        }
        let found;
        try {
            const response = await fetch(`${box.dataset.suggestionsUrl}?${query}`, {
                headers: {Accept: "application/json"},
                credentials: "same-origin",
            });
            if (!response.ok) {
                return;
            }
            found = await response.json();
        } catch {
            return;
        }
        const parts = [];
        if (tags && found.tags.length) {
            const heading = document.createElement("h4");
            heading.textContent = "Suggested contexts";
            parts.push(heading, ...found.tags.map((name) => button(`+ ${name}`, () => addContext(tags, name))));
        }
        if (found.related.length) {
            const heading = document.createElement("h4");
            heading.textContent = "Suggested related stories";
            const list = document.createElement("div");
            list.append(...found.related.map((story) => button(`+ ${story.title}`, () => addRelated(story))));
            parts.push(heading, list);
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
        const text = document.querySelector("#id_headline, #id_summary");
        // Shown under the contexts field, where an editor thinks about them.
        (tags?.closest(".form-row") || box.parentElement).append(box);
        let timer;
        const later = () => {
            clearTimeout(timer);
            timer = setTimeout(() => suggest(box, tags, text), DELAY_MS);
        };
        // Rethought as the headline and contexts change, so a new story gets suggestions too.
        text?.addEventListener("input", later);
        tags?.addEventListener("change", later);
        suggest(box, tags, text);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}
