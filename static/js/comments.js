/* The comment form's helpers: a live character counter, and the form token. The form works without
   this file: the server checks the length and says by how much a comment is too long, and a post with no
   token comes back as "Confirm your comment", everything typed kept, for one more press. */
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

  // A story page is the same for every reader (it may come from a shared cache), so its form carries no
  // token. When the reader starts to use the form, ask for a token (the cookie comes with it) and a time
  // stamp from now; the minimum fill time counts from that moment.
  function hidden(form, name) {
    var field = form.querySelector('input[name="' + name + '"]');
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      form.insertBefore(field, form.firstChild);
    }
    return field;
  }

  function prepare(form) {
    var url = form.getAttribute("data-token-url");
    var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (!url || (token && token.value)) {
      return; // a form shown in answer to a post carries its own
    }
    var asked = null;

    function ask() {
      if (!asked) {
        asked = fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
          .then(function (response) {
            if (!response.ok) {
              throw new Error("token " + response.status);
            }
            return response.json();
          })
          .then(function (answer) {
            hidden(form, "csrfmiddlewaretoken").value = answer.csrfmiddlewaretoken;
            var started = hidden(form, "started");
            if (!started.value) {
              started.value = answer.started;
            }
            return true;
          })
          .catch(function () {
            asked = null; // try again on the next use; a post without a token still reaches the confirm page
            return false;
          });
      }
      return asked;
    }

    form.addEventListener("focusin", ask);
    form.addEventListener("input", ask);
    var sending = false;
    form.addEventListener("submit", function (event) {
      var field = form.querySelector('input[name="csrfmiddlewaretoken"]');
      if (field && field.value) {
        return;
      }
      event.preventDefault();
      if (sending) {
        return;
      }
      sending = true;
      ask().then(function () {
        form.submit();
      });
    });
  }

  document.querySelectorAll("form.comment-form[data-token-url]").forEach(prepare);

  // After a refused post, take keyboard and screen-reader users straight to what went wrong.
  var errors = document.getElementById("comment-form-errors");
  if (errors && window.location.hash === "#comment-form") {
    errors.focus();
  }
})();
