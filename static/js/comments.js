/* Live character counter for the comment form. The form works without it:
   the server checks the length and says by how much a comment is too long. */
(function () {
  "use strict";

  var numbers = new Intl.NumberFormat("en");

  // Count as the server does: line breaks as one character, whole code points, ends trimmed.
  function length(value) {
    return Array.from(value.replace(/\r\n?/g, "\n").trim()).length;
  }

  function attach(area) {
    var limit = parseInt(area.getAttribute("data-max-length"), 10);
    var counter = document.getElementById(area.getAttribute("data-counter"));
    if (!limit || !counter) {
      return;
    }
    var lastState = null;

    function update() {
      var left = limit - length(area.value);
      var over = left < 0;
      counter.textContent = over
        ? numbers.format(-left) + " character" + (left === -1 ? "" : "s") + " over the limit of " + numbers.format(limit)
        : numbers.format(left) + " of " + numbers.format(limit) + " characters left";
      counter.classList.toggle("is-over", over);
      counter.classList.toggle("is-near", !over && left <= limit * 0.1);
      // Announce only when crossing the limit, not on every key press.
      if (over !== lastState) {
        counter.setAttribute("aria-live", over ? "assertive" : "off");
        lastState = over;
      }
    }

    area.addEventListener("input", update);
    update();
  }

  document.querySelectorAll("textarea[data-max-length]").forEach(attach);

  // After a refused post, take keyboard and screen-reader users straight to what went wrong.
  var errors = document.getElementById("comment-form-errors");
  if (errors && window.location.hash === "#comment-form") {
    errors.focus();
  }
})();
