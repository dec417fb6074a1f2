/* IEP Guide chat for any website. A site owner pastes:

     <script src="https://YOUR-IEP-GUIDE-SERVER/static/embed.js"></script>
     <script>IEPGuide.init({ botUrl: "https://YOUR-BOT-ADDRESS", state: "Massachusetts" });</script>

   This file loads the rasa-webchat 1.0.1 widget and its style fixes from the same server
   it came from (no CDN), starts it with our settings, and adds what the widget lacks
   for keyboards and screen readers: names for the launcher, message box and send
   button, quick replies that work with Tab + Enter, Escape to close, and a live region
   so new answers are read out.

   Options for IEPGuide.init:
     botUrl   (required) address of the IEP Guide bot (Rasa server, socket.io)
     state    (optional) the state your families live in, e.g. "Massachusetts";
              answers then give that state's rule next to the federal one
     title, subtitle (optional) text in the chat window's header
     storage  (optional) "session" (default): the chat survives page reloads and is
              gone when the tab is closed (safer on shared computers); "local": it
              also survives closing the browser
   IEPGuide.open() opens the chat, e.g. from a "Chat with us" button on your page.
*/
(function () {
  "use strict";
  if (window.IEPGuide) return;

  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(/[^/]*([?#].*)?$/, "") : "/static/";
  var root = null;

  function load(tag, attrs) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) { el[k] = attrs[k]; });
      el.onload = resolve;
      el.onerror = function () { reject(new Error("IEP Guide: could not load " + (attrs.src || attrs.href))); };
      document.head.appendChild(el);
    });
  }

  // Start downloading right away; init() waits for both.
  var ready = Promise.all([
    window.WebChat ? Promise.resolve() : load("script", { src: base + "webchat.js" }),
    load("link", { rel: "stylesheet", href: base + "embed.css" })
  ]);

  function setAttr(el, name, value) {
    if (el && el.getAttribute(name) !== value) el.setAttribute(name, value);
  }

  function isOpen() {
    var container = root && root.querySelector(".rw-widget-container");
    return !!(container && container.classList.contains("rw-chat-open"));
  }

  /* rasa-webchat re-renders often; this runs after every change and (re)applies the
     names and roles. It only sets attributes React does not manage. */
  function improveAccessibility() {
    var open = isOpen();
    root.querySelectorAll(".rw-launcher").forEach(function (button) {
      setAttr(button, "aria-label", open ? "Close the chat" : "Open the chat with IEP Guide");
      setAttr(button, "aria-expanded", String(open));
    });
    root.querySelectorAll(".rw-close-button").forEach(function (button) {
      setAttr(button, "aria-label", "Close the chat");
    });
    root.querySelectorAll("textarea.rw-new-message").forEach(function (box) {
      setAttr(box, "aria-label", "Type your question");
    });
    root.querySelectorAll("button.rw-send").forEach(function (button) {
      setAttr(button, "aria-label", "Send");
    });
    root.querySelectorAll(".rw-messages-container").forEach(function (log) {
      setAttr(log, "role", "log");
      setAttr(log, "aria-live", "polite");
      setAttr(log, "aria-label", "Conversation with IEP Guide");
      setAttr(log, "tabindex", "0"); // lets keyboard users scroll long answers
    });
    // Links come from the bot's markdown: only web links may be followed, so a
    // "javascript:" link in a message can never run.
    root.querySelectorAll("a[href]").forEach(function (link) {
      if (!/^https?:$/.test(link.protocol)) link.removeAttribute("href");
    });
    // Quick replies are <div>s with a click handler: make them buttons for keyboards.
    root.querySelectorAll("div.rw-reply").forEach(function (reply) {
      setAttr(reply, "role", "button");
      setAttr(reply, "tabindex", "0");
    });
  }

  function onKeyDown(event) {
    var target = event.target;
    if ((event.key === "Enter" || event.key === " ") && target.matches && target.matches("div.rw-reply")) {
      event.preventDefault();
      target.click();
      // The chosen button disappears; keep the keyboard in the chat, ready to type.
      var box = root.querySelector("textarea.rw-new-message");
      if (box) box.focus();
    } else if (event.key === "Escape" && isOpen()) {
      var close = root.querySelector(".rw-close-button") || root.querySelector(".rw-launcher");
      if (close) close.click();
      setTimeout(function () {
        var launcher = root.querySelector(".rw-launcher");
        if (launcher) launcher.focus();
      }, 0);
    }
  }

  function init(options) {
    options = options || {};
    if (!options.botUrl) {
      console.error("IEP Guide: IEPGuide.init needs botUrl, the address of the bot.");
      return;
    }
    if (root) return; // one chat per page
    root = document.createElement("div");
    root.id = "iep-guide-chat";
    root.setAttribute("role", "complementary");
    root.setAttribute("aria-label", "IEP Guide chat");
    document.body.appendChild(root);

    // Sent with every message; Rasa keeps it as the message's metadata.
    var pageData = { language: "en" };
    if (options.state) pageData.state = String(options.state);

    ready.then(function () {
      window.WebChat.default({
        socketUrl: options.botUrl,
        socketPath: "/socket.io/",
        initPayload: "/greet",
        customData: pageData,
        title: options.title || "IEP Guide",
        subtitle: options.subtitle || "Plain answers about IEPs",
        inputTextFieldHint: "Type your question here",
        connectingText: "Connecting...",
        showMessageDate: false,
        params: { storage: options.storage === "local" ? "local" : "session" },
        // Short pauses between bubbles: long enough to read, short enough not to wait.
        customMessageDelay: function (message) {
          return Math.min(1200, 400 + String(message || "").length * 4);
        },
        mainColor: "#1f4e79",
        userBackgroundColor: "#1f4e79",
        userTextColor: "#ffffff",
        assistBackgoundColor: "#eef2f6", // (sic) rasa-webchat's spelling
        assistTextColor: "#1a1a1a"
      }, root);
      new MutationObserver(improveAccessibility).observe(root, {
        childList: true, subtree: true, attributes: true, attributeFilter: ["class", "href"]
      });
      root.addEventListener("keydown", onKeyDown);
      improveAccessibility();
    }).catch(function (error) { console.error(error); });
  }

  function open() {
    var launcher = root && root.querySelector(".rw-launcher");
    if (launcher && !isOpen()) launcher.click();
    var box = root && root.querySelector("textarea.rw-new-message");
    if (box) box.focus();
  }

  window.IEPGuide = { init: init, open: open };
})();
