// The front page desk: live headline search, dragging placements within and between parts of the page, and
// move buttons for keyboards. The form works without any of it: this only fills in the same fields.
(function () {
  "use strict";

  var form = document.getElementById("fp-form");
  if (!form) {
    return;
  }
  var lists = Array.prototype.slice.call(form.querySelectorAll(".fp-list"));
  var dragged = null;

  function rowsOf(list) {
    return Array.prototype.slice.call(list.children).filter(function (el) {
      return el.classList.contains("fp-row");
    });
  }

  // Every row takes the area of the list it sits in and its place in that list as its order number.
  function renumber() {
    lists.forEach(function (list) {
      var rows = rowsOf(list);
      rows.forEach(function (row, index) {
        var area = row.querySelector(".fp-area");
        var order = row.querySelector(".fp-order");
        if (area) {
          area.value = list.dataset.area;
        }
        if (order) {
          order.value = String(index + 1);
        }
      });
      var count = list.parentNode.querySelector(".fp-count");
      if (count) {
        count.textContent = rows.length + " of " + list.dataset.capacity;
        count.classList.toggle("fp-count--over", rows.length > Number(list.dataset.capacity));
      }
    });
  }

  function announce(text) {
    var status = document.getElementById("fp-status");
    if (status) {
      status.textContent = text;
    }
  }

  function titleOf(row) {
    var title = row.querySelector(".fp-title");
    return title ? title.textContent.trim() : "Story";
  }

  function moveButton(label, handler) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button fp-move";
    button.textContent = label;
    button.addEventListener("click", handler);
    return button;
  }

  function listFor(area) {
    for (var i = 0; i < lists.length; i += 1) {
      if (lists[i].dataset.area === area) {
        return lists[i];
      }
    }
    return null;
  }

  function setUp(row) {
    var tools = document.createElement("span");
    tools.className = "fp-tools";
    tools.appendChild(
      moveButton("Move up", function (event) {
        var previous = row.previousElementSibling;
        if (previous) {
          row.parentNode.insertBefore(row, previous);
          renumber();
          event.target.focus();
          announce(titleOf(row) + " moved up.");
        }
      })
    );
    tools.appendChild(
      moveButton("Move down", function (event) {
        var next = row.nextElementSibling;
        if (next) {
          row.parentNode.insertBefore(next, row);
          renumber();
          event.target.focus();
          announce(titleOf(row) + " moved down.");
        }
      })
    );
    var expires = row.querySelector(".fp-expires");
    if (expires) {
      tools.appendChild(
        moveButton("Clear time", function () {
          expires.value = "";
          announce(titleOf(row) + " now stays until moved.");
        })
      );
    }
    row.querySelector(".fp-fields").appendChild(tools);

    var area = row.querySelector(".fp-area");
    if (area) {
      // Choosing another part of the page moves the row to the end of that part.
      area.addEventListener("change", function () {
        var target = listFor(area.value);
        if (target && target !== row.parentNode) {
          target.appendChild(row);
          renumber();
          area.focus();
          announce(titleOf(row) + " moved to " + target.dataset.label + ".");
        }
      });
    }
    row.addEventListener("dragstart", function (event) {
      dragged = row;
      row.classList.add("fp-row--dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.story || "");
    });
    row.addEventListener("dragend", function () {
      row.classList.remove("fp-row--dragging");
      dragged = null;
      lists.forEach(function (list) {
        list.classList.remove("fp-list--over");
      });
    });
  }

  // The row the dragged one should go before, from the pointer's height.
  function rowAfter(list, y) {
    var rows = rowsOf(list).filter(function (row) {
      return row !== dragged;
    });
    for (var i = 0; i < rows.length; i += 1) {
      var box = rows[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) {
        return rows[i];
      }
    }
    return null;
  }

  lists.forEach(function (list) {
    var column = list.parentNode;
    column.addEventListener("dragover", function (event) {
      if (!dragged) {
        return;
      }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      list.classList.add("fp-list--over");
    });
    column.addEventListener("dragleave", function (event) {
      if (!column.contains(event.relatedTarget)) {
        list.classList.remove("fp-list--over");
      }
    });
    column.addEventListener("drop", function (event) {
      if (!dragged) {
        return;
      }
      event.preventDefault();
      var before = rowAfter(list, event.clientY);
      if (before) {
        list.insertBefore(dragged, before);
      } else {
        list.appendChild(dragged);
      }
      list.classList.remove("fp-list--over");
      renumber();
      announce(titleOf(dragged) + " placed in " + list.dataset.label + ".");
    });
  });

  lists.forEach(function (list) {
    rowsOf(list).forEach(setUp);
  });
  var status = document.createElement("p");
  status.id = "fp-status";
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  form.appendChild(status);
  form.classList.add("fp-enhanced");

  // Live search: the same buttons the Search button's page shows, fetched as the editor types.
  var query = document.getElementById("fp-q");
  var results = document.getElementById("fp-results");
  var timer = null;
  var asked = 0;

  function placedIds() {
    return Array.prototype.map.call(form.querySelectorAll(".fp-row"), function (row) {
      return row.dataset.story;
    });
  }

  function show(found, words) {
    results.textContent = "";
    if (!found.length) {
      var none = document.createElement("p");
      none.className = "fp-none";
      none.textContent = "No story that is not already placed has “" + words + "” in its headline.";
      results.appendChild(none);
      return;
    }
    var list = document.createElement("ul");
    list.className = "fp-results";
    found.forEach(function (story) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "submit";
      button.name = "add";
      button.value = String(story.id);
      button.className = "fp-result";
      button.textContent = story.title;
      var meta = document.createElement("span");
      meta.className = "fp-meta";
      meta.textContent = " " + story.date_label + " · " + story.kind + " · " + story.status;
      item.appendChild(button);
      item.appendChild(meta);
      list.appendChild(item);
    });
    results.appendChild(list);
  }

  function search() {
    var words = query.value.trim();
    if (words.length < 2) {
      results.textContent = "";
      return;
    }
    var params = new URLSearchParams({ q: words });
    placedIds().forEach(function (id) {
      params.append("placed", id);
    });
    var ticket = (asked += 1);
    fetch(form.dataset.searchUrl + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        // An older, slower answer must not replace a newer one.
        if (ticket === asked) {
          show(data.results, words);
        }
      })
      .catch(function () {
        // The Search button still works.
      });
  }

  if (query && results && window.fetch) {
    query.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 250);
    });
  }
})();
