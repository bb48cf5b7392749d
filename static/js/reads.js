// "Most read now" where an HTTP cache answers the pages (newsroom.popularity, beacon counting).
//
// On a story page, once the page is really in front of a reader (not prerendered, not in a background tab),
// the read is reported once to the address the script tag names. Then the "most read" box, which may have
// been kept with the page for hours, is replaced by the current list; without scripts the kept box stays.
(() => {
  const whenShown = (then) => {
    if (document.prerendering) {
      document.addEventListener("prerenderingchange", () => whenShown(then), { once: true });
    } else if (document.visibilityState !== "visible") {
      document.addEventListener("visibilitychange", () => whenShown(then), { once: true });
    } else {
      then();
    }
  };

  const reportRead = () => {
    const tag = document.querySelector("script[data-read-url]");
    if (!tag) return;
    const url = tag.dataset.readUrl;
    if (navigator.sendBeacon && navigator.sendBeacon(url)) return;
    fetch(url, { method: "POST", credentials: "same-origin", keepalive: true }).catch(() => {});
  };

  const refreshBox = () => {
    const box = document.querySelector("[data-most-read]");
    if (!box) return;
    const top = Number(box.dataset.mostReadTop) || 5;
    // The list is the same for everyone: no cookies, so every reader gets the shared cache's copy.
    fetch(box.dataset.mostRead, { credentials: "omit", headers: { Accept: "text/html" } })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => {
        const fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".most-read__list");
        const list = box.querySelector(".most-read__list");
        if (!fresh || !list) return;
        // A story page does not list itself; the fragment names one story more than the box shows for that.
        const items = Array.from(fresh.children).filter((item) => {
          const link = item.querySelector("a");
          return !link || link.getAttribute("href") !== window.location.pathname;
        });
        if (!items.length) return;
        list.replaceChildren(...items.slice(0, top));
        box.hidden = false;
      })
      .catch(() => {});
  };

  whenShown(() => {
    reportRead();
    refreshBox();
  });
})();
