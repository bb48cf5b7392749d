/*
 * Publish times are typed in the newsroom's zone, or in another zone chosen beside them. While the
 * editor types, this names the zone's abbreviation for the date typed (GMT or BST) and shows the
 * newsroom time a time typed in another zone becomes. The server does the same conversion on save;
 * without this script the form works the same, with the abbreviation of the time it was opened at.
 */
"use strict";
{
    const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const pad = (number) => String(number).padStart(2, "0");

    function partsIn(zone, instant) {
        const parts = new Intl.DateTimeFormat("en-US", {
            timeZone: zone,
            hourCycle: "h23",
            year: "numeric",
            month: "numeric",
            day: "numeric",
            hour: "numeric",
            minute: "numeric",
            second: "numeric",
        }).formatToParts(new Date(instant));
        const get = (type) => Number(parts.find((part) => part.type === type).value);
        return {year: get("year"), month: get("month"), day: get("day"), hour: get("hour"), minute: get("minute"), second: get("second")};
    }

    // Minutes the zone is ahead of UTC at an instant.
    function offsetAt(zone, instant) {
        const p = partsIn(zone, instant);
        const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
        return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60000);
    }

    // The instant a wall-clock time names in a zone (the offset is looked up twice, across a change of clocks).
    function instantOf(zone, wall) {
        const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
        const first = naive - offsetAt(zone, naive) * 60000;
        return naive - offsetAt(zone, first) * 60000;
    }

    function abbreviation(zone, instant, known) {
        const offset = offsetAt(zone, instant);
        if (known && known[String(offset)]) {
            return known[String(offset)];
        }
        const named = new Intl.DateTimeFormat("en-GB", {timeZone: zone, timeZoneName: "short"})
            .formatToParts(new Date(instant))
            .find((part) => part.type === "timeZoneName");
        return named ? named.value : "";
    }

    function readJson(text) {
        try {
            return JSON.parse(text || "{}");
        } catch {
            return {};
        }
    }

    // The wall-clock time typed: a datetime-local input, or the admin's separate date and time inputs.
    function typedWall(fieldId) {
        const single = document.getElementById(fieldId);
        let dateText = "";
        let timeText = "";
        if (single && single.type === "datetime-local") {
            [dateText, timeText] = single.value.split("T");
        } else {
            dateText = document.getElementById(`${fieldId}_0`)?.value || "";
            timeText = document.getElementById(`${fieldId}_1`)?.value || "";
        }
        const date = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(dateText || "");
        const time = /^\s*(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?\s*$/.exec(timeText || "");
        if (!date || !time) {
            return null;
        }
        const wall = {
            year: Number(date[1]),
            month: Number(date[2]),
            day: Number(date[3]),
            hour: Number(time[1]),
            minute: Number(time[2]),
        };
        if (wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.day > 31 || wall.hour > 23 || wall.minute > 59) {
            return null;
        }
        return wall;
    }

    function inputsOf(fieldId) {
        return [fieldId, `${fieldId}_0`, `${fieldId}_1`]
            .map((id) => document.getElementById(id))
            .filter(Boolean);
    }

    // The admin's calendar and clock fill the inputs without any event; after a click on them, look again.
    const updaters = [];
    document.addEventListener("click", (event) => {
        if (event.target.closest && event.target.closest(".datetimeshortcuts, .calendarbox, .clockbox")) {
            setTimeout(() => updaters.forEach((update) => update()), 0);
        }
    });

    function watchLabel(label) {
        const fieldId = label.dataset.zoneLabelFor;
        const zone = label.dataset.zone;
        const known = readJson(label.dataset.zoneAbbreviations);
        const update = () => {
            const wall = typedWall(fieldId);
            if (!wall) {
                return;
            }
            const name = abbreviation(zone, instantOf(zone, wall), known);
            label.textContent = name && name !== zone ? `${zone}, ${name}` : zone;
        };
        updaters.push(update);
        for (const input of inputsOf(fieldId)) {
            input.addEventListener("input", update);
            input.addEventListener("change", update);
        }
        update();
    }

    function watchTypedZone(select) {
        const result = document.getElementById("id_publish_zone_result");
        const here = select.dataset.newsroomZone;
        const known = readJson(select.dataset.zoneAbbreviations);
        if (!result || !here) {
            return;
        }
        const update = () => {
            const wall = typedWall("id_publish_at");
            if (!wall || !select.value || select.value === here) {
                result.textContent = "";
                return;
            }
            const instant = instantOf(select.value, wall);
            const local = partsIn(here, instant);
            result.textContent =
                `${pad(wall.hour)}:${pad(wall.minute)} in ${select.value} is ` +
                `${pad(local.hour)}:${pad(local.minute)} ${abbreviation(here, instant, known)}, ` +
                `${local.day} ${MONTHS[local.month - 1]} ${local.year} in ${here}.`;
        };
        updaters.push(update);
        select.addEventListener("change", update);
        for (const input of inputsOf("id_publish_at")) {
            input.addEventListener("input", update);
            input.addEventListener("change", update);
        }
        update();
    }

    function start() {
        document.querySelectorAll(".dateline-zone-label[data-zone-label-for]").forEach(watchLabel);
        const select = document.getElementById("id_publish_zone");
        if (select) {
            watchTypedZone(select);
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}
