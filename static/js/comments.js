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
  var openedBy = null; // The Reply link that moved the form, for focus to return to.
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
    openedBy = link;
    form.querySelector("textarea").focus();
    return true;
  }

  function moveHome() {
    home.after(respond);
    parentInput.value = "";
    heading.textContent = heading.dataset.default;
    cancel.hidden = true;
    if (openedBy) openedBy.focus();
    openedBy = null;
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

  // Arriving through a no-script reply link (?replytocom=N): show the form in place.
  var replyTo = parentInput.value;
  if (replyTo) {
    var link = document.querySelector('.comment-reply-link[data-comment-id="' + replyTo + '"]');
    if (link) moveTo(link);
  }
})();
