// Haven's page behaviour: the privacy screen and the idle-tab guard.
// No inline script anywhere (the Content Security Policy forbids it).
(function () {
  "use strict";

  var screen = document.getElementById("privacy-screen");
  var toggle = document.getElementById("privacy-toggle");
  var reveal = document.getElementById("privacy-reveal");
  var main = document.getElementById("main");

  function hide() {
    if (!screen) { return; }
    screen.hidden = false;
    document.body.classList.add("privacy-on");
    if (main) { main.setAttribute("aria-hidden", "true"); }
    // The tab title can be seen over a shoulder too.
    document.documentElement.dataset.title = document.title;
    document.title = "…";
    if (reveal) { reveal.focus(); }
  }

  function show() {
    if (!screen) { return; }
    screen.hidden = true;
    document.body.classList.remove("privacy-on");
    if (main) { main.removeAttribute("aria-hidden"); }
    if (document.documentElement.dataset.title) {
      document.title = document.documentElement.dataset.title;
    }
    if (toggle) { toggle.focus(); }
  }

  if (toggle) { toggle.addEventListener("click", hide); }
  if (reveal) { reveal.addEventListener("click", show); }
  document.addEventListener("keydown", function (event) {
    if (event.altKey && event.shiftKey && (event.key === "H" || event.key === "h" || event.code === "KeyH")) {
      event.preventDefault();
      if (screen && screen.hidden) { hide(); } else { show(); }
    }
  });

  // An idle tab covers itself, then asks the server whether the session is
  // still alive. The check does not count as activity, so a session idle in
  // every tab ends there and the browser lands on the sign-in page.
  var idleSeconds = parseInt(document.body.dataset.idleTimeout || "", 10);
  var checkUrl = document.body.dataset.sessionCheckUrl;
  if (idleSeconds > 0 && checkUrl) {
    var timer = null;
    var arm = function () {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(function () {
        hide();
        window.location.assign(checkUrl);
      }, (idleSeconds + 2) * 1000);
    };
    // The visitor-alert banner and a job's progress ask on their own every
    // few seconds: that is not someone using the tab, so it must not keep
    // the cover away.
    document.addEventListener("htmx:afterRequest", function (event) {
      var source = event.detail && event.detail.elt;
      if (source && (source.id === "visitor-alerts" || source.hasAttribute("data-passive-poll"))) { return; }
      arm();
    });
    arm();
  }

  // A long list of tick boxes (languages, areas): a filter box above it.
  // The box is in the page, hidden, so without this script nothing is
  // offered that would not work; ticked choices are never hidden.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-choice-list]"), function (list) {
    var filter = list.querySelector("[data-choice-filter]");
    var none = list.querySelector("[data-choice-none]");
    if (!filter) { return; }
    filter.parentNode.hidden = false;
    filter.addEventListener("keydown", function (event) {
      // Enter in the filter must not send the whole form.
      if (event.key === "Enter") { event.preventDefault(); }
    });
    filter.addEventListener("input", function () {
      var wanted = fold(filter.value);
      var shown = 0;
      Array.prototype.forEach.call(list.querySelectorAll("li"), function (item) {
        var box = item.querySelector("input");
        var match = !wanted || fold(item.textContent).indexOf(wanted) !== -1 || (box && box.checked);
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      Array.prototype.forEach.call(list.querySelectorAll("fieldset"), function (group) {
        group.hidden = !group.querySelector("li:not([hidden])");
      });
      if (none) { none.hidden = shown > 0; }
    });
  });

  // A form that came back with errors: start at the list of what to fix.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
