// Reply in place: "Reply" moves the comment form under that comment, "Cancel reply"
// puts it back. Without this script the same links reload the page with
// ?replytocom=N, which sets the form up on the server.
(function () {
  "use strict";

  var respond = document.getElementById("respond");
  if (!respond) return;
  var form = respond.querySelector("form");
  var parentInput = form.querySelector("input[name=parent]");
  var heading = respond.querySelector(".comment-reply-heading");
  var cancel = document.getElementById("cancel-comment-reply-link");
  var home = document.createElement("div");
  home.id = "respond-home";
  home.hidden = true;
  respond.parentNode.insertBefore(home, respond);

  function moveTo(link) {
    var comment = document.getElementById("comment-" + link.dataset.commentId);
    if (!comment) return false;
    comment.querySelector(".comment-body").after(respond);
    parentInput.value = link.dataset.commentId;
    heading.textContent = "Reply to " + link.dataset.author;
    cancel.hidden = false;
    form.querySelector("textarea").focus();
    return true;
  }

  function moveHome() {
    home.after(respond);
    parentInput.value = "";
    heading.textContent = heading.dataset.default;
    cancel.hidden = true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".comment-reply-link");
    if (link && moveTo(link)) {
      event.preventDefault();
    } else if (event.target === cancel) {
      event.preventDefault();
      moveHome();
    }
  });

  // A page from the site's shared cache carries no CSRF token (the same page goes to
  // every reader): add this visitor's own from their CSRF cookie as the form is sent,
  // asking the site to set that cookie first if it is not there yet.
  var tokenInput = form.querySelector("input[name=csrfmiddlewaretoken]");

  function csrfCookie() {
    var prefix = form.dataset.csrfCookieName + "=";
    var found = document.cookie.split("; ").find(function (pair) {
      return pair.indexOf(prefix) === 0;
    });
    return found ? decodeURIComponent(found.slice(prefix.length)) : "";
  }

  var askedForCookie = false;
  form.addEventListener("submit", function (event) {
    if (!tokenInput || tokenInput.value) return;
    tokenInput.value = csrfCookie();
    if (tokenInput.value || askedForCookie) return;
    event.preventDefault();
    askedForCookie = true;
    fetch(form.dataset.csrfCookieUrl, { credentials: "same-origin" })
      .catch(function () {})
      .then(function () {
        // Still without a cookie, the site shows the form again, filled in, to send once more.
        tokenInput.value = csrfCookie();
        form.requestSubmit();
      });
  });

  // Arriving through a no-script reply link (?replytocom=N): show the form in place.
  var replyTo = parentInput.value;
  if (replyTo) {
    var link = document.querySelector('.comment-reply-link[data-comment-id="' + replyTo + '"]');
    if (link) moveTo(link);
  }
})();
