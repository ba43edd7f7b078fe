/* The assistant's chat: send the question to the API and show the answer as it streams
   (server-sent events read through fetch), then show the stored, cited answer the server
   renders. Without this script the form posts and the page reloads with the answer. */
(function () {
  "use strict";

  var form = document.getElementById("chat-form");
  if (!form || !window.fetch || !window.TextDecoder) { return; }
  var messages = document.getElementById("messages");
  var field = form.querySelector("textarea[name=message]");
  var conversation = form.querySelector("input[name=conversation_id]");
  var button = form.querySelector("button[type=submit]");
  var csrf = document.querySelector("meta[name=csrf-token]").getAttribute("content");

  function bubble(role, text) {
    var article = document.createElement("article");
    article.className = "message message-" + role;
    var body = document.createElement(role === "user" ? "p" : "div");
    if (role !== "user") { body.className = "answer"; }
    body.textContent = text;
    article.appendChild(body);
    var empty = messages.querySelector(".chat-empty");
    if (empty) { empty.remove(); }
    messages.appendChild(article);
    article.scrollIntoView({ block: "end" });
    return article;
  }

  function listConversation(id, title) {
    /* A new conversation joins the list beside the chat. */
    var list = document.querySelector(".conv-list");
    if (!list) {
      var none = document.querySelector(".conversations .empty");
      list = document.createElement("ul");
      list.className = "conv-list";
      if (none) { none.replaceWith(list); } else { return; }
    }
    list.querySelectorAll("a[aria-current]").forEach(function (a) { a.removeAttribute("aria-current"); });
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = form.getAttribute("data-page-url") + "?c=" + id;
    link.textContent = title.length > 80 ? title.slice(0, 79) + "…" : title;
    link.setAttribute("aria-current", "page");
    item.appendChild(link);
    list.insertBefore(item, list.firstChild);
  }

  function showStored(id) {
    /* The server renders the stored answer with its citations linked to vendor and review pages. */
    var page = form.getAttribute("data-page-url") + "?c=" + id;
    return fetch(page + "&fragment=1", { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (html) {
        var body = new DOMParser().parseFromString(html, "text/html").body;
        while (messages.firstChild) { messages.removeChild(messages.firstChild); }
        while (body.firstChild) { messages.appendChild(body.firstChild); }
        history.replaceState(null, "", page);
        var latest = document.getElementById("latest");
        if (latest) { latest.scrollIntoView({ block: "end" }); }
      });
  }

  function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) { return; }
        buffer += decoder.decode(chunk.value, { stream: true });
        var parts = buffer.split("\n\n");
        buffer = parts.pop();
        parts.forEach(function (block) {
          var name = "message", data = "";
          block.split("\n").forEach(function (line) {
            if (line.indexOf("event:") === 0) { name = line.slice(6).trim(); }
            if (line.indexOf("data:") === 0) { data += line.slice(5).trim(); }
          });
          if (data) { onEvent(name, JSON.parse(data)); }
        });
        return pump();
      });
    }
    return pump();
  }

  form.addEventListener("submit", function (event) {
    var question = field.value.trim();
    if (!question) { return; }
    event.preventDefault();
    button.disabled = true;
    bubble("user", question);
    var answer = bubble("assistant", "");
    answer.classList.add("streaming");
    answer.setAttribute("aria-busy", "true");
    var text = answer.querySelector(".answer");
    var id = conversation.value ? parseInt(conversation.value, 10) : null;
    field.value = "";
    fetch(form.getAttribute("data-stream-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream", "X-CSRF-Token": csrf },
      body: JSON.stringify({ message: question, conversation_id: id })
    }).then(function (response) {
      if (!response.ok) { throw new Error("The assistant could not answer (" + response.status + ")."); }
      return readEvents(response, function (name, data) {
        if (name === "meta") { conversation.value = data.conversation_id; }
        if (name === "delta") { text.textContent += data.text; }
        if (name === "notice") { var n = document.createElement("p"); n.className = "notice"; n.textContent = data.text; answer.appendChild(n); }
        if (name === "error") { throw new Error(data.detail || "The answer could not be completed."); }
      });
    }).then(function () {
      if (id === null && conversation.value) { listConversation(conversation.value, question); }
      return showStored(conversation.value);
    }).catch(function (error) {
      text.textContent = error.message;
      answer.classList.add("failed");
    }).then(function () {
      answer.removeAttribute("aria-busy");
      button.disabled = false;
      field.focus();
    });
  });
})();
