// The moderation queue, quicker: row actions change the row in place, with Undo for a
// while, and WordPress's keyboard shortcuts (? shows them). Without this script each
// button is a small POST form that brings the queue back at the same row.
(function () {
  "use strict";

  var table = document.getElementById("result_list");
  if (!table || !table.classList.contains("queue")) return;
  var announcer = document.getElementById("queue-announcer");
  var help = document.getElementById("queue-help");
  var helpButton = document.querySelector(".queue-help-button");
  var UNDO_MS = 15000;
  var DECISIONS = { a: true, u: true, s: true, d: true, z: true };
  var current = null;

  function rows() {
    return Array.prototype.slice.call(table.querySelectorAll("tr.queue-row"));
  }

  function rowOf(formId) {
    return document.getElementById("comment-row-" + formId.replace("moderate-", ""));
  }

  function say(text) {
    // Emptied first, so that the same words twice are announced twice.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function describe(row) {
    var all = rows();
    var author = row.querySelector(".queue-author").textContent;
    var status = row.querySelector("[data-status-label]").textContent;
    return "Comment " + (all.indexOf(row) + 1) + " of " + all.length + ", by " + author + ", " + status + ".";
  }

  function focusRow(row) {
    if (!row) return;
    if (current) current.classList.remove("queue-current");
    current = row;
    row.classList.add("queue-current");
    row.focus();
    say(describe(row));
  }

  function step(by) {
    var all = rows();
    var index = current ? all.indexOf(current) + by : 0;
    focusRow(all[Math.max(0, Math.min(all.length - 1, index))]);
  }

  function moveButton(formId, move, className) {
    var button = document.createElement("button");
    button.type = "submit";
    button.setAttribute("form", formId);
    button.formAction = move.url;
    button.className = className + " queue-action-" + move.name;
    button.dataset.move = move.name;
    if (move.key) button.setAttribute("aria-keyshortcuts", move.key);
    if (move.title !== move.label) button.title = move.title;
    button.textContent = move.label;
    return button;
  }

  function showUndo(row, formId, state, isUndo) {
    var slot = row.querySelector(".queue-undo");
    slot.textContent = state.message + " ";
    slot.classList.remove("queue-error");
    window.clearTimeout(slot.timer);
    if (state.reply) {
      var link = document.createElement("a");
      link.href = state.reply.url;
      link.textContent = "See the reply";
      slot.append(link);
    } else if (state.undo && !isUndo) {
      var undo = moveButton(formId, state.undo, "queue-undo-button");
      undo.textContent = "Undo";
      undo.dataset.undo = "1";
      undo.removeAttribute("aria-keyshortcuts");
      undo.title = state.undo.title;
      slot.append(undo);
    }
    slot.timer = window.setTimeout(function () { slot.textContent = ""; }, UNDO_MS);
  }

  function redraw(row, formId, state, isUndo) {
    row.dataset.status = state.status;
    row.classList.toggle("queue-moved", state.status !== row.dataset.loadedStatus);
    var label = row.querySelector("[data-status-label]");
    label.textContent = state.status_label;
    label.className = "queue-status queue-status-" + state.status;
    row.querySelector("[data-reason]").textContent = state.reason;
    var detail = row.querySelector(".queue-reason small");
    if (detail) detail.remove();
    var moves = row.querySelector(".queue-moves");
    moves.replaceChildren.apply(moves, state.moves.map(function (move) {
      return moveButton(formId, move, "queue-action");
    }));
    var reply = row.querySelector(".queue-reply");
    if (reply) {
      reply.hidden = !state.can_reply;
      reply.querySelector(".queue-reply-send").textContent = state.reply_label;
      if (state.reply) {
        reply.querySelector("textarea").value = "";
        reply.open = false;
      }
    }
    showUndo(row, formId, state, isUndo);
  }

  function fail(row, message) {
    var slot = row.querySelector(".queue-undo");
    slot.textContent = message;
    slot.classList.add("queue-error");
    say(message);
  }

  // One request at a time, in the order decided: quick keys never race each other.
  var sending = Promise.resolve();

  function send(form, button) {
    var row = rowOf(form.id);
    row.setAttribute("aria-busy", "true");
    sending = sending.then(function () { return post(form, button, row); });
  }

  function post(form, button, row) {
    return fetch(button.formAction, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) throw new Error("not json");
        return response.json().then(function (state) {
          if (response.ok) {
            redraw(row, form.id, state, button.dataset.undo === "1");
            say(state.message);
          } else {
            fail(row, state.message);
          }
        });
      })
      .catch(function () {
        // Logged out, or the server is unwell: let the page itself show what happened.
        form.action = button.formAction;
        form.submit();
      })
      .finally(function () { row.removeAttribute("aria-busy"); });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (!form.id || form.id.indexOf("moderate-") !== 0 || !button) return;
    event.preventDefault();
    send(form, button);
  });

  // Rows the moderator clicks into become the current one for the shortcuts.
  table.addEventListener("focusin", function (event) {
    var row = event.target.closest("tr.queue-row");
    if (row && row !== current) {
      if (current) current.classList.remove("queue-current");
      current = row;
      row.classList.add("queue-current");
    }
  });

  function isTyping(element) {
    if (element.isContentEditable) return true;
    if (element.tagName === "TEXTAREA" || element.tagName === "SELECT") return true;
    return element.tagName === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/.test(element.type);
  }

  function decide(row, key) {
    var button = row.querySelector('.queue-moves [aria-keyshortcuts="' + key + '"]');
    if (!button && key === "z") button = row.querySelector(".queue-undo-button");
    if (!button) {
      say("That shortcut does not apply to this comment.");
      return;
    }
    button.click();
    // One key, one decision: on to the next comment while this one is saved.
    var all = rows();
    var next = all[all.indexOf(row) + 1];
    if (next) focusRow(next);
  }

  function openReply(row) {
    var reply = row.querySelector(".queue-reply");
    if (!reply || reply.hidden) {
      say("This comment cannot be replied to.");
      return;
    }
    reply.open = true;
    reply.querySelector("textarea").focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      var box = event.target.closest && event.target.closest(".queue-reply");
      if (box && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        box.querySelector(".queue-reply-send").click();
      }
      return;
    }
    if (help.open) return;
    if (isTyping(event.target)) {
      var reply = event.target.closest(".queue-reply");
      if (reply && event.key === "Escape") {
        reply.open = false;
        focusRow(reply.closest("tr.queue-row"));
      }
      return;
    }
    var key = event.key;
    if (key === "?") {
      help.showModal();
    } else if (key === "j" || key === "k") {
      step(key === "j" ? 1 : -1);
    } else if (!current && (DECISIONS[key] || key === "r" || key === "x")) {
      step(0);
    } else if (DECISIONS[key]) {
      decide(current, key);
    } else if (key === "r") {
      openReply(current);
    } else if (key === "x") {
      current.querySelector("input.action-select").click();
      current.focus();
    } else {
      return;
    }
    event.preventDefault();
  });

  rows().forEach(function (row) { row.dataset.loadedStatus = row.dataset.status; });
  helpButton.hidden = false;
  helpButton.addEventListener("click", function () { help.showModal(); });
  help.addEventListener("close", function () { if (current) current.focus(); else helpButton.focus(); });
  var target = window.location.hash.match(/^#comment-row-\d+$/) && document.querySelector(window.location.hash);
  if (target) focusRow(target);
})();
