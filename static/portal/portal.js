/* Progressive enhancement only: every page works without this file.
   - After a refused submit, focus the first field with an error.
   - A button with data-copy-target="<input id>" copies that input's value to the clipboard.
   - The withdrawal form says what the amount typed will cost (amount + fee), counted in whole
     cents exactly as the server does (fee = fixed + percent of the amount, half up); the
     server's figure is the one that counts. */
(function () {
  "use strict";
  var invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) {
    invalid.focus();
  }

  function cents(text) {
    // "1234.5" -> 123450n; anything that is not a plain positive amount with <= 2 decimals -> null
    var match = /^\s*(\d{1,15})(?:\.(\d{1,2}))?\s*$/.exec(text);
    if (!match) {
      return null;
    }
    return BigInt(match[1]) * 100n + BigInt((match[2] || "").padEnd(2, "0"));
  }

  function money(value, currency) {
    var whole = (value / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var part = (value % 100n).toString().padStart(2, "0");
    return whole + "." + part + " " + currency;
  }

  var withdraw = document.querySelector("form[data-fee-fixed]");
  var charge = document.getElementById("withdraw-charge");
  if (withdraw && charge && typeof BigInt === "function") {
    var amountInput = withdraw.querySelector("input[name='amount']");
    var fixed = cents(withdraw.getAttribute("data-fee-fixed"));
    var percent = cents(withdraw.getAttribute("data-fee-percent")); // hundredths of a percent
    var currency = withdraw.getAttribute("data-currency");
    var update = function () {
      var amount = cents(amountInput.value);
      if (amount === null || amount === 0n || fixed === null || percent === null) {
        charge.hidden = true;
        return;
      }
      var fee = fixed + (amount * percent * 2n + 10000n) / 20000n; // amount x percent / 100, half up
      // isolated (LRI ... PDI) so that an Arabic sentence does not turn it into "USD 1.00"
      charge.textContent = charge.getAttribute("data-label") + " \u2066" + money(amount + fee, currency) + "\u2069";
      charge.hidden = false;
    };
    amountInput.addEventListener("input", update);
    update();
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
