// kb default theme: small progressive enhancements. Every page works without it.
(function () {
  "use strict";
  var body = document.body;

  // The clipboard API needs a secure context (https or localhost); elsewhere a hidden
  // textarea and execCommand still work.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      body.appendChild(area);
      area.select();
      var copied = document.execCommand("copy");
      body.removeChild(area);
      if (copied) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function enableCopy(button, textOf) {
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(textOf()).then(function () {
        var label = button.getAttribute("data-label") || button.textContent;
        button.setAttribute("data-label", label);
        button.textContent = button.getAttribute("data-copied") || "✓";
        setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  }

  // The message variants carry their own buttons (labels come from the site's `ui` strings).
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    enableCopy(button, function () { return button.getAttribute("data-copy"); });
  });

  // Code blocks get a button beside them.
  var copyLabel = body.getAttribute("data-copy-label");
  if (copyLabel) {
    document.querySelectorAll("main pre > code").forEach(function (code) {
      var pre = code.parentNode;
      var wrapper = document.createElement("div");
      wrapper.className = "code-block";
      pre.parentNode.insertBefore(wrapper, pre);
      wrapper.appendChild(pre);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy";
      button.textContent = copyLabel;
      button.setAttribute("data-copied", body.getAttribute("data-copied-label") || "✓");
      wrapper.appendChild(button);
      enableCopy(button, function () { return code.textContent; });
    });
  }

  // "Was this helpful?" exists only when kb.yaml sets `feedback_endpoint`. The answer is
  // posted as a form (no cookies, no identifiers) and the reader stays on the page.
  document.querySelectorAll("form.feedback").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new URLSearchParams(new FormData(form));
      if (event.submitter && event.submitter.name) {
        data.set(event.submitter.name, event.submitter.value);
      }
      var status = form.querySelector(".feedback-status");
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      fetch(form.action, { method: "POST", body: data, mode: "no-cors", credentials: "omit", keepalive: true })
        .then(function () { status.textContent = form.getAttribute("data-thanks"); })
        .catch(function () {
          status.textContent = form.getAttribute("data-failed");
          form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        });
    });
  });

  // Print every collapsed part of an article (the extra message variants).
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("main details:not([open])").forEach(function (details) {
      details.setAttribute("open", "");
      details.setAttribute("data-printed", "");
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("main details[data-printed]").forEach(function (details) {
      details.removeAttribute("open");
      details.removeAttribute("data-printed");
    });
  });
})();
