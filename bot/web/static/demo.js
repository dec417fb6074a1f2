/* The demo page's start-up, as a file (the page's Content-Security-Policy allows no
   inline script). The server writes the bot's port into data-rasa-port; a real site
   writes its bot's full address instead (README: "Put the chat on your website"). */
(function () {
  "use strict";
  var port = document.currentScript.getAttribute("data-rasa-port");
  IEPGuide.init({
    botUrl: window.location.protocol + "//" + window.location.hostname + ":" + port,
    state: "Massachusetts"
  });
  // The page's own "Chat with IEP Guide" button (no inline onclick under the policy).
  document.querySelectorAll("[data-iep-guide-open]").forEach(function (button) {
    button.addEventListener("click", function () { IEPGuide.open(); });
  });
})();
