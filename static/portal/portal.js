/* Progressive enhancement only: every page works without this file.
   - After a refused submit, focus the first field with an error.
   - A button with data-copy-target="<input id>" copies that input's value to the clipboard. */
(function () {
  "use strict";
  var invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) {
    invalid.focus();
  }
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input) {
      return;
    }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        button.textContent = button.getAttribute("data-copied-label") || label;
        window.setTimeout(function () {
          button.textContent = label;
        }, 2000);
      }, function () {
        input.select();
      });
    });
  });
})();
