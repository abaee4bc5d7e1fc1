// The author's edit of a fresh comment (comments/editing.py). The timer beside "Edit"
// counts down the time left; "Edit" brings the edit page's form in place of the
// comment's text, and "Cancel" puts the text back. Without this script the link opens
// the edit page, which works the same, and the server refuses an edit once time is up.
(function () {
  "use strict";

  var loadedAt = Date.now();

  function secondsLeft(element) {
    var seconds = parseInt(element.dataset.editSeconds, 10) || 0;
    return Math.max(0, Math.round(seconds - (Date.now() - loadedAt) / 1000));
  }

  function clock(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function expire(timer) {
    var comment = timer.closest(".comment-body");
    var link = comment && comment.querySelector(".comment-edit-link");
    if (link) link.remove();
    if (comment) {
      comment.querySelectorAll(".comment-edit-form, .comment-delete-form").forEach(function (form) {
        form.querySelectorAll("button, textarea").forEach(function (field) {
          field.disabled = true;
        });
      });
    }
    timer.textContent = "(time to edit is over)";
    timer.classList.add("comment-edit-timer--over");
  }

  function tick() {
    var timers = document.querySelectorAll(".comment-edit-timer:not(.comment-edit-timer--over)");
    timers.forEach(function (timer) {
      var left = secondsLeft(timer);
      if (left <= 0) {
        expire(timer);
      } else {
        timer.textContent = timer.closest(".comment-edit")
          ? clock(left)
          : "(" + clock(left) + " left to edit)";
        timer.setAttribute("title", "Time left to edit or delete this comment");
      }
    });
    if (timers.length) window.setTimeout(tick, 1000);
  }

  function closeEditor(comment) {
    var editor = comment.querySelector(".comment-editor");
    if (editor) editor.remove();
    var content = comment.querySelector(".comment-content");
    content.hidden = false;
    var link = comment.querySelector(".comment-edit-link");
    if (link) {
      link.setAttribute("aria-expanded", "false");
      link.focus();
    }
  }

  function openEditor(link) {
    var comment = link.closest(".comment-body");
    if (comment.querySelector(".comment-editor")) {
      comment.querySelector(".comment-editor textarea").focus();
      return;
    }
    link.setAttribute("aria-busy", "true");
    fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var form = page.querySelector(".comment-edit-form");
        var remove = page.querySelector(".comment-delete-form");
        if (!form) throw new Error("no form");
        var editor = document.createElement("div");
        editor.className = "comment-editor";
        editor.appendChild(document.importNode(form, true));
        if (remove) editor.appendChild(document.importNode(remove, true));
        var cancel = editor.querySelector(".comment-edit-form__cancel");
        if (cancel) {
          cancel.addEventListener("click", function (event) {
            event.preventDefault();
            closeEditor(comment);
          });
        }
        var content = comment.querySelector(".comment-content");
        content.hidden = true;
        content.after(editor);
        link.removeAttribute("aria-busy");
        link.setAttribute("aria-expanded", "true");
        var textarea = editor.querySelector("textarea");
        textarea.focus();
        textarea.setSelectionRange(textarea.value.length, textarea.value.length);
      })
      .catch(function () {
        // The page itself says what went wrong (time is up, someone replied).
        window.location.href = link.href;
      });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".comment-edit-link");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      openEditor(link);
    }
  });

  document.addEventListener("submit", function (event) {
    if (!event.target.matches(".comment-delete-form")) return;
    if (!window.confirm("Delete your comment? This cannot be undone.")) event.preventDefault();
  });

  tick();
})();
