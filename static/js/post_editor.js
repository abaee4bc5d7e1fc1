/* The post editor in the admin (templates/admin/blog/post/change_form.html):
 * - a live preview, rendered by the server (blog.admin's preview view) as the post's page
 *   will show it, a moment after the editor stops typing;
 * - HTML pasted into the body or the excerpt arrives as Markdown (html_to_markdown.js);
 * - text areas grow with their text where the browser cannot do it by CSS alone;
 * - the form is kept in this browser while typing, and offered back after a crash;
 * - the main button says "Schedule" when the publish date is in the future.
 * Everything here is an addition: without it, the form and its Preview button still work.
 */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";

  var form = document.getElementById("post_form");
  if (!form) return;

  var PREVIEW_DELAY_MS = 400;
  var SAVE_DELAY_MS = 800;
  var PREVIEWED = ["title", "body", "excerpt", "source_url", "source_title", "source_name"];
  var KEPT = ["title", "slug", "body", "summary", "excerpt", "source_url", "source_title", "source_name", "tags", "image_alt"];

  function debounce(action, delay) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(action, delay);
    };
  }

  function fieldNamed(name) {
    return form.elements.namedItem(name);
  }

  /* Live preview */
  var preview = document.getElementById("post-preview");
  var frame = document.getElementById("post-preview-frame");
  var previewStatus = document.getElementById("post-preview-status");
  var previewRequest = null;

  function fitFrame() {
    var page = frame.contentDocument && frame.contentDocument.documentElement;
    if (page) frame.style.height = page.scrollHeight + "px";
  }

  function refreshPreview() {
    if (!preview) return;
    var data = new FormData(form);
    data.delete("image"); // never upload the image on every keystroke
    if (previewRequest) previewRequest.abort();
    previewRequest = new AbortController();
    fetch(preview.dataset.previewUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      signal: previewRequest.signal,
    })
      .then(function (response) {
        if (!response.ok) throw new Error("The server answered " + response.status + ".");
        return response.text();
      })
      .then(function (html) {
        frame.srcdoc = html;
        previewStatus.textContent = "";
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        previewStatus.textContent = "The preview could not be updated: " + error.message + " Your text is safe; press Preview to try again.";
      });
  }

  if (preview && frame) {
    var schedulePreview = debounce(refreshPreview, PREVIEW_DELAY_MS);
    frame.addEventListener("load", fitFrame);
    form.addEventListener("input", function (event) {
      if (PREVIEWED.indexOf(event.target.name) !== -1) schedulePreview();
    });
    var previewButton = form.querySelector("button[name=_preview]");
    if (previewButton) {
      previewButton.addEventListener("click", function (event) {
        event.preventDefault();
        refreshPreview();
        preview.scrollIntoView({ block: "nearest" });
      });
    }
    previewStatus.textContent = "";
    refreshPreview();
  }

  /* Paste HTML as Markdown */
  function insertText(textarea, text) {
    textarea.focus();
    // execCommand keeps the browser's undo; setRangeText where it is gone.
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  ["body", "excerpt"].forEach(function (name) {
    var textarea = fieldNamed(name);
    if (!textarea) return;
    textarea.addEventListener("paste", function (event) {
      var clipboard = event.clipboardData;
      var html = clipboard && clipboard.getData("text/html");
      if (!html) return;
      var markdown = htmlToMarkdown(new DOMParser().parseFromString(html, "text/html").body);
      if (!markdown) return;
      event.preventDefault();
      insertText(textarea, markdown);
    });
  });

  /* Text areas that grow */
  if (!(window.CSS && CSS.supports("field-sizing", "content"))) {
    var grow = function (textarea) {
      textarea.style.height = "auto";
      textarea.style.height = textarea.scrollHeight + 2 + "px";
    };
    Array.prototype.forEach.call(form.querySelectorAll("textarea"), function (textarea) {
      grow(textarea);
      textarea.addEventListener("input", function () {
        grow(textarea);
      });
    });
  }

  /* The form kept in the browser */
  var match = /\/blog\/post\/(\d+)\/change\/$/.exec(location.pathname);
  var storageKey = "marginalia:post-editor:" + (match ? match[1] : "new");
  var submittedKey = "marginalia:post-editor:submitted";
  var banner = document.getElementById("post-autosave");

  function currentValues() {
    var values = {};
    KEPT.forEach(function (name) {
      var field = fieldNamed(name);
      if (field) values[name] = field.value;
    });
    return values;
  }

  function sameValues(a, b) {
    return KEPT.every(function (name) {
      return (a[name] || "") === (b[name] || "");
    });
  }

  function readKept() {
    try {
      return JSON.parse(localStorage.getItem(storageKey));
    } catch (error) {
      return null;
    }
  }

  function forget() {
    try {
      localStorage.removeItem(storageKey);
    } catch (error) {
      /* storage off: nothing was kept */
    }
  }

  try {
    var submitted = sessionStorage.getItem(submittedKey);
    if (submitted && document.querySelector(".messagelist .success")) {
      localStorage.removeItem(submitted); // that save went through
      sessionStorage.removeItem(submittedKey);
    }
  } catch (error) {
    /* storage off */
  }

  var kept = readKept();
  var initialValues = currentValues();
  if (kept && kept.values && banner) {
    if (sameValues(kept.values, initialValues)) {
      forget();
    } else {
      var when = new Date(kept.savedAt);
      banner.querySelector(".post-autosave__text").textContent =
        "This browser kept changes to this post that were not saved (" + when.toLocaleString() + ").";
      banner.hidden = false;
      banner.addEventListener("click", function (event) {
        var choice = event.target.dataset && event.target.dataset.autosave;
        if (choice === "restore") {
          KEPT.forEach(function (name) {
            var field = fieldNamed(name);
            if (field && name in kept.values) field.value = kept.values[name];
          });
          refreshPreview();
        } else if (choice === "discard") {
          forget();
        } else {
          return;
        }
        banner.hidden = true;
        var title = fieldNamed("title");
        if (title) title.focus();
      });
    }
  }

  var keep = debounce(function () {
    var values = currentValues();
    if (sameValues(values, initialValues)) return;
    try {
      localStorage.setItem(storageKey, JSON.stringify({ savedAt: Date.now(), values: values }));
    } catch (error) {
      /* storage full or off: the form still works */
    }
  }, SAVE_DELAY_MS);
  form.addEventListener("input", keep);
  form.addEventListener("submit", function () {
    try {
      sessionStorage.setItem(submittedKey, storageKey);
    } catch (error) {
      /* storage off */
    }
  });

  /* "Publish" or "Schedule" */
  var publish = form.querySelector("button[name=_publish]");
  var date = fieldNamed("published_at_0");
  var time = fieldNamed("published_at_1");
  // The admin gives the server's UTC offset, in seconds, on <body>.
  var serverOffset = parseInt(document.body.dataset.adminUtcOffset, 10) || 0;

  function publishMoment() {
    var day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.value.trim());
    var clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(time.value.trim() || "00:00");
    if (!day || !clock) return null;
    var asUtc = Date.UTC(+day[1], +day[2] - 1, +day[3], +clock[1], +clock[2], +(clock[3] || 0));
    return asUtc - serverOffset * 1000;
  }

  function labelPublish() {
    var moment = publishMoment();
    var later = moment !== null && moment > Date.now();
    publish.textContent = later ? publish.dataset.scheduleLabel : publish.dataset.publishLabel;
  }

  if (publish && date && time) {
    ["input", "change"].forEach(function (kind) {
      date.addEventListener(kind, labelPublish);
      time.addEventListener(kind, labelPublish);
    });
    // The admin's calendar and clock set the value without an input event.
    form.addEventListener("click", function () {
      setTimeout(labelPublish, 0);
    });
    labelPublish();
  }
});
