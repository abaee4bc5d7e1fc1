// Like in place: the Like form is posted with fetch and the button and the count change
// without leaving the page. The page every reader shares shows the neutral button; the
// liked_posts cookie (ids of the posts this browser likes) marks it "Liked" here.
// Without this script the same form posts and comes back to #likes with a message.
(function () {
  "use strict";

  var form = document.querySelector(".likes__form");
  if (!form || !window.fetch) return;
  var button = form.querySelector(".likes__button");
  var label = form.querySelector(".likes__label");
  var count = form.querySelector(".likes__count");
  var postId = form.dataset.postId;
  var busy = false;
  var note = document.createElement("p");
  note.className = "likes__note";
  note.setAttribute("role", "status");
  form.after(note);

  function likedHere() {
    var match = document.cookie.match(/(?:^|;\s*)liked_posts=([^;]*)/);
    return match ? match[1].split(".").indexOf(postId) !== -1 : false;
  }

  function show(liked) {
    button.setAttribute("aria-pressed", liked ? "true" : "false");
    label.textContent = liked ? "Liked" : "Like";
  }

  show(likedHere());

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return; // A double click is one press, not a like and its undoing.
    busy = true;
    button.setAttribute("aria-busy", "true");
    note.textContent = "";
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(
          function (data) {
            return { ok: response.ok, data: data };
          },
          function () {
            return { ok: false, data: {} };
          }
        );
      })
      .then(function (result) {
        if (result.ok) {
          show(result.data.liked);
          count.textContent = result.data.count_text;
        } else {
          note.textContent = result.data.error || "Your like could not be saved. Please try again.";
        }
      })
      .catch(function () {
        note.textContent = "The site could not be reached. Please try again.";
      })
      .then(function () {
        busy = false;
        button.removeAttribute("aria-busy");
      });
  });
})();
