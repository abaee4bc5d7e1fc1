/* HTML to the site's Markdown, for text pasted into the post editor and for the
 * "Press This" bookmarklet (blog/bookmarklet.py wraps this whole file into it, so it
 * defines one function and nothing else, and runs on any page without this site's code).
 *
 * Kept: paragraphs, line breaks, links (absolute http, https and mailto only), emphasis,
 * strong, inline code, code blocks, lists and block quotes. Everything else keeps its
 * text and loses its markup; scripts, styles, forms and media lose both. What comes out
 * is Markdown, rendered and sanitised on the server like anything typed.
 */
function htmlToMarkdown(root, baseUrl) {
  "use strict";
  var SKIPPED = /^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE|HEAD|TITLE|META|LINK|IFRAME|OBJECT|EMBED|SVG|CANVAS|VIDEO|AUDIO|PICTURE|IMG|BUTTON|SELECT|INPUT|TEXTAREA|FORM|NAV)$/;
  var BLOCKS = /^(ADDRESS|ARTICLE|ASIDE|CENTER|DD|DETAILS|DIV|DL|DT|FIELDSET|FIGCAPTION|FIGURE|FOOTER|H[1-6]|HEADER|HR|LI|MAIN|OL|P|PRE|SECTION|SUMMARY|TABLE|TBODY|TD|TFOOT|TH|THEAD|TR|UL|BLOCKQUOTE)$/;
  var LINE_START = /^(\s*)([#>+\-*]|\d+[.)])(\s)/;

  function escapeText(text) {
    return text
      .replace(/\\/g, "\\\\")
      .replace(/([`*_[\]])/g, "\\$1")
      // Markdown takes "<" before a letter for HTML; a bare "&" it escapes by itself.
      .replace(/</g, "&lt;");
  }

  function linkTarget(element) {
    var href = element.getAttribute("href");
    if (!href) return "";
    try {
      var url = baseUrl ? new URL(href, baseUrl) : new URL(href);
      return /^(https?|mailto):$/.test(url.protocol) ? url.href : "";
    } catch (error) {
      return ""; // a relative link with nothing to resolve it against: keep its text
    }
  }

  function hasBlocks(element) {
    for (var child = element.firstElementChild; child; child = child.nextElementSibling) {
      if (BLOCKS.test(child.tagName) || hasBlocks(child)) return true;
    }
    return false;
  }

  function wrap(marker, text) {
    // Markdown's emphasis needs the marker against the words: "* word *" is not emphasis.
    var match = /^(\s*)([\s\S]*?)(\s*)$/.exec(text);
    return match[2] ? match[1] + marker + match[2] + marker + match[3] : text;
  }

  function inline(node) {
    if (node.nodeType === 3) return escapeText(node.nodeValue.replace(/\s+/g, " "));
    if (node.nodeType !== 1 || SKIPPED.test(node.tagName)) return "";
    var text = "";
    for (var child = node.firstChild; child; child = child.nextSibling) text += inline(child);
    switch (node.tagName) {
      case "BR":
        return "  \n"; // Markdown's hard line break
      case "A":
        var target = linkTarget(node);
        return target && text.trim() ? "[" + text.trim() + "](" + target.replace(/[()\s]/g, encodeURIComponent) + ")" : text;
      case "EM":
      case "I":
      case "CITE":
        return wrap("*", text);
      case "STRONG":
      case "B":
        return wrap("**", text);
      case "CODE":
      case "KBD":
      case "SAMP":
        var code = node.textContent.replace(/\s+/g, " ");
        return code ? "`" + code.replace(/`/g, "\u02cb") + "`" : "";
      default:
        return text;
    }
  }

  function paragraph(text) {
    var lines = text.split("\n").map(function (line) {
      // Only a <br> ends a line here, with Markdown's two trailing spaces: keep those.
      return line.replace(/^ +/, "").replace(LINE_START, "$1\\$2$3");
    });
    return lines.join("\n").replace(/^\s+|\s+$/g, "");
  }

  function indent(text, prefix, first) {
    return text
      .split("\n")
      .map(function (line, index) {
        if (index === 0) return first + line;
        return line ? prefix + line : line;
      })
      .join("\n");
  }

  function listItems(list) {
    var ordered = list.tagName === "OL";
    var number = parseInt(list.getAttribute("start"), 10) || 1;
    var items = [];
    for (var item = list.firstElementChild; item; item = item.nextElementSibling) {
      if (item.tagName !== "LI") continue;
      var body = blocks(item).join("\n\n");
      if (!body) continue;
      var marker = ordered ? number++ + ". " : "- ";
      items.push(indent(body, "    ", marker));
    }
    return items.join("\n");
  }

  function blocks(node) {
    var out = [];
    var line = "";
    function flush() {
      var text = paragraph(line);
      if (text) out.push(text);
      line = "";
    }
    for (var child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 1 && SKIPPED.test(child.tagName)) continue;
      var tag = child.nodeType === 1 ? child.tagName : "";
      if (tag === "UL" || tag === "OL") {
        flush();
        var list = listItems(child);
        if (list) out.push(list);
      } else if (tag === "BLOCKQUOTE") {
        flush();
        var quoted = blocks(child).join("\n\n");
        if (quoted) out.push(indent(quoted, "> ", "> ").replace(/\n\n/g, "\n>\n"));
      } else if (tag === "PRE") {
        flush();
        var code = child.textContent.replace(/\n+$/, "");
        if (code.trim()) out.push("```\n" + code.replace(/```/g, "\u02cb\u02cb\u02cb") + "\n```");
      } else if (tag === "HR") {
        flush();
      } else if (tag && (BLOCKS.test(tag) || hasBlocks(child))) {
        flush();
        out.push.apply(out, blocks(child));
      } else {
        line += inline(child);
      }
    }
    flush();
    return out;
  }

  return blocks(root).join("\n\n");
}
