// Knowledge base helpers on the conversation page (no inline script: CSP).
// Alt+Shift+R focuses the template search; after a template is inserted, the reply box gets
// the focus back. Loaded again with each HTMX swap of the page: set up once.
(function () {
  "use strict";
  if (window.civiqueKnowledge) {
    return;
  }
  window.civiqueKnowledge = true;
  document.addEventListener("keydown", function (event) {
    if (event.altKey && event.shiftKey && event.code === "KeyR") {
      var field = document.querySelector("[data-template-search]");
      if (field) {
        event.preventDefault();
        field.focus();
      }
    }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var box = document.getElementById("id_reply-text");
    if (box && event.detail && event.detail.target && event.detail.target.id === "id_reply-text") {
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    }
  });
})();
