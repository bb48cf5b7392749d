/*
 * Reorders the rows of a tabular inline (bylines, sources, related links) by dragging a row's
 * handle, with its "Move up" / "Move down" buttons, or with Alt+Arrow keys anywhere in the row.
 * Each move rewrites the visible order numbers of the filled rows (1, 2, 3...) and is announced
 * to screen readers. Without this script the order field is typed by hand, as before.
 *
 * Only inlines whose fieldset has the class "dateline-reorder" are touched. Everything is wired
 * from this file through event listeners, so it runs under a Content-Security-Policy that
 * allows no inline script.
 */
"use strict";
{
    const ROWS = "tbody > tr.form-row:not(.empty-form)";

    const orderInput = (row) => row.querySelector("td.field-order input");

    // A row counts once it is saved or anything but its order has been filled in. Empty extra rows
    // keep their untouched order, so Django still sees them as unchanged and skips them.
    function filled(row) {
        const id = row.querySelector("input[type='hidden'][name$='-id']");
        if (id?.value) {
            return true;
        }
        return [...row.querySelectorAll("input, select, textarea")].some((field) => {
            if (field.type === "hidden" || field.type === "checkbox" || field.closest("td.field-order")) {
                return false;
            }
            return Boolean(field.value.trim());
        });
    }

    function describe(row, noun) {
        const saved = row.querySelector("td.original p")?.firstChild?.textContent?.trim();
        if (saved) {
            return saved;
        }
        const select = row.querySelector("select");
        const chosen = select?.selectedOptions?.[0];
        if (chosen?.value) {
            return chosen.textContent.trim();
        }
        const typed = [...row.querySelectorAll("input[type='text'], input[type='url']")].find((f) => f.value.trim());
        return typed ? typed.value.trim() : noun;
    }

    function enhanceGroup(group) {
        const fieldset = group.querySelector("fieldset.dateline-reorder");
        const body = fieldset?.querySelector("tbody");
        if (!body) {
            return;
        }
        const noun = "row";
        const status = document.createElement("div");
        status.className = "visually-hidden";
        status.setAttribute("role", "status");
        status.setAttribute("aria-live", "polite");
        fieldset.append(status);
        const help = document.createElement("p");
        help.className = "help dateline-reorder__help";
        help.id = `${group.id}-reorder-help`;
        help.textContent =
            "Drag a row by its handle, or use its arrow buttons (Alt+Up and Alt+Down in the row), to change the order.";
        fieldset.querySelector("table")?.before(help);

        const rows = () => [...body.querySelectorAll(ROWS)];

        function renumber() {
            let number = 0;
            for (const row of rows()) {
                const input = orderInput(row);
                if (input && filled(row)) {
                    number += 1;
                    input.value = String(number);
                }
            }
        }

        function announce(row) {
            const position = rows().filter(filled).indexOf(row) + 1;
            const count = rows().filter(filled).length;
            status.textContent = position
                ? `${describe(row, noun)} moved to position ${position} of ${count}.`
                : `Empty ${noun} moved.`;
        }

        function addControls(row) {
            const cell = row.querySelector("td.field-order");
            if (!cell || cell.querySelector(".dateline-reorder__controls")) {
                return;
            }
            const controls = document.createElement("span");
            controls.className = "dateline-reorder__controls";
            const handle = document.createElement("span");
            handle.className = "dateline-reorder__handle";
            handle.draggable = true;
            handle.title = "Drag to reorder";
            handle.setAttribute("aria-hidden", "true");
            handle.textContent = "⠿";
            const up = document.createElement("button");
            up.type = "button";
            up.className = "dateline-reorder__move";
            up.dataset.move = "-1";
            up.setAttribute("aria-label", "Move up");
            up.title = "Move up (Alt+Up)";
            up.textContent = "↑";
            const down = up.cloneNode();
            down.dataset.move = "1";
            down.setAttribute("aria-label", "Move down");
            down.title = "Move down (Alt+Down)";
            down.textContent = "↓";
            controls.append(handle, up, down);
            cell.append(controls);
            row.querySelectorAll("input, select, textarea, button").forEach((field) => {
                const described = field.getAttribute("aria-describedby") || "";
                if (!described.includes(help.id)) {
                    field.setAttribute("aria-describedby", `${described} ${help.id}`.trim());
                }
            });
        }

        function move(row, step) {
            // A filled row trades places with the next filled one: passing empty extra rows changes nothing.
            const all = filled(row) ? rows().filter(filled) : rows();
            const at = all.indexOf(row);
            const to = at + step;
            if (at < 0 || to < 0 || to >= all.length) {
                status.textContent = `${describe(row, noun)} is already ${step < 0 ? "first" : "last"}.`;
                return false;
            }
            if (step < 0) {
                all[to].before(row);
            } else {
                all[to].after(row);
            }
            renumber();
            announce(row);
            return true;
        }

        body.addEventListener("click", (event) => {
            const button = event.target.closest("button.dateline-reorder__move");
            if (!button) {
                return;
            }
            const row = button.closest("tr");
            move(row, Number(button.dataset.move));
            // Focus stays on the button pressed, which travelled with its row.
            button.focus();
        });

        body.addEventListener("keydown", (event) => {
            if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) {
                return;
            }
            const row = event.target.closest(ROWS.replace("tbody > ", ""));
            if (!row) {
                return;
            }
            event.preventDefault();
            move(row, event.key === "ArrowUp" ? -1 : 1);
            event.target.focus();
        });

        // A new row that gets filled in joins the end of the order, unless its number was typed.
        body.addEventListener("input", (event) => {
            if (event.target.closest("td.field-order")) {
                event.target.dataset.typed = "1";
            }
        });
        body.addEventListener("change", (event) => {
            const row = event.target.closest("tr.form-row");
            const input = row && orderInput(row);
            if (!input || input.dataset.typed || input.value !== input.defaultValue || !filled(row)) {
                return;
            }
            if (row.querySelector("input[type='hidden'][name$='-id']")?.value) {
                return;
            }
            const highest = rows()
                .filter((other) => other !== row && filled(other))
                .reduce((most, other) => Math.max(most, Number(orderInput(other)?.value) || 0), 0);
            input.value = String(highest + 1);
        });

        let dragged = null;
        body.addEventListener("dragstart", (event) => {
            const handle = event.target.closest?.(".dateline-reorder__handle");
            if (!handle) {
                return;
            }
            dragged = handle.closest("tr");
            dragged.classList.add("dateline-reorder--dragging");
            event.dataTransfer.effectAllowed = "move";
            // Some browsers start no drag without data.
            event.dataTransfer.setData("text/plain", describe(dragged, noun));
            event.dataTransfer.setDragImage(dragged, 20, 20);
        });
        body.addEventListener("dragover", (event) => {
            const over = event.target.closest?.("tr.form-row:not(.empty-form)");
            if (!dragged || !over) {
                return;
            }
            event.preventDefault();
            event.dataTransfer.dropEffect = "move";
            if (over === dragged) {
                return;
            }
            const box = over.getBoundingClientRect();
            if (event.clientY < box.top + box.height / 2) {
                over.before(dragged);
            } else {
                over.after(dragged);
            }
        });
        body.addEventListener("drop", (event) => {
            if (dragged) {
                event.preventDefault();
            }
        });
        body.addEventListener("dragend", () => {
            if (!dragged) {
                return;
            }
            const row = dragged;
            dragged = null;
            row.classList.remove("dateline-reorder--dragging");
            renumber();
            announce(row);
        });

        rows().forEach(addControls);
        // Rows added with "Add another" get their controls too.
        document.addEventListener("formset:added", (event) => {
            if (body.contains(event.target)) {
                addControls(event.target);
            }
        });
    }

    function start() {
        document.querySelectorAll(".js-inline-admin-formset").forEach(enhanceGroup);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}
