// Report in place: a comment's "Report" link opens the report form under the comment
// (the form of the report page, fetched) and sends it with fetch, answered in JSON.
// Without this script the link opens that page, whose form is a plain POST.
(function () {
  "use strict";

  var opened = null; // { link, box } of the form shown now: one at a time.

  function close(returnFocus) {
    if (!opened) return;
    opened.box.remove();
    opened.link.setAttribute("aria-expanded", "false");
    if (returnFocus) opened.link.focus();
    opened = null;
  }

  function say(box, text, role) {
    var message = document.createElement("p");
    message.className = "comment-report-box__message";
    message.setAttribute("role", role);
    message.tabIndex = -1;
    message.textContent = text;
    box.replaceChildren(message);
    message.focus();
  }

  function showForm(link, box, form) {
    // Ids of the box's own, so that labels stay tied to their fields on the post page.
    var prefix = "report-" + link.pathname.replace(/\D+/g, "") + "-";
    form.querySelectorAll("[id]").forEach(function (element) {
      element.id = prefix + element.id;
    });
    form.querySelectorAll("label[for]").forEach(function (label) {
      label.htmlFor = prefix + label.htmlFor;
    });
    form.querySelectorAll("[aria-describedby]").forEach(function (element) {
      element.setAttribute("aria-describedby", prefix + element.getAttribute("aria-describedby"));
    });
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button button--secondary comment-report-box__cancel";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", function () { close(true); });
    form.querySelector(".form-submit").append(" ", cancel);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(form, box);
    });
    box.replaceChildren(form);
    form.querySelector("input[name=reason]").focus();
  }

  function open(link) {
    var box = document.createElement("div");
    box.className = "comment-report-box";
    box.id = "report-box-" + link.pathname.replace(/\D+/g, "");
    box.textContent = "Loading the report form…";
    (link.closest(".reply") || link).after(box);
    link.setAttribute("aria-expanded", "true");
    link.setAttribute("aria-controls", box.id);
    opened = { link: link, box: box };
    fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var form = page.querySelector(".comment-report-form");
        var thanks = page.querySelector(".comment-report__thanks");
        if (form) showForm(link, box, document.adoptNode(form));
        else if (thanks) say(box, thanks.textContent, "status");
        else throw new Error("no form");
      })
      .catch(function () {
        window.location.assign(link.href); // The report page, as without the script.
      });
  }

  function send(form, box) {
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (response.status === 404) return { ok: false, gone: true };
        return response.json();
      })
      .then(function (answer) {
        if (answer.ok) {
          say(box, answer.message, "status");
          opened.link.textContent = "Reported";
        } else if (answer.gone) {
          say(box, "This comment is no longer published.", "alert");
        } else {
          var error = form.querySelector(".comment-report-form__error");
          if (!error) {
            error = document.createElement("p");
            error.className = "comment-report-form__error errorlist nonfield";
            error.setAttribute("role", "alert");
            form.prepend(error);
          }
          error.textContent = answer.message;
          button.disabled = false;
        }
      })
      .catch(function () {
        form.submit(); // A plain POST: the server answers with a page.
      });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".comment-report-link");
    if (!link || event.button || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    var same = opened && opened.link === link;
    close(false);
    if (!same) open(link);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && opened && opened.box.contains(document.activeElement)) {
      close(true);
    }
  });
})();
