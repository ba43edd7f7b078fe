/* Search as you type: the vendor list's filters, and the review form's vendor picker.
   Both ask the server for HTML it renders anyway; without this script the forms still work. */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function fetchHtml(url, signal) {
    return fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin", signal: signal })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); });
  }

  function parse(html) {
    return new DOMParser().parseFromString(html, "text/html").body;
  }

  function replaceChildren(target, body) {
    while (target.firstChild) { target.removeChild(target.firstChild); }
    while (body.firstChild) { target.appendChild(body.firstChild); }
  }

  /* The vendor list: every change of the filter form refreshes the results. */
  var filters = document.getElementById("vendor-filters");
  if (filters) {
    var results = document.getElementById(filters.getAttribute("data-live-target"));
    var pending = null;
    var refresh = debounce(function () {
      var params = new URLSearchParams(new FormData(filters));
      Array.from(params.keys()).forEach(function (k) { if (!params.get(k)) { params.delete(k); } });
      var query = params.toString();
      history.replaceState(null, "", filters.action + (query ? "?" + query : ""));
      params.set("fragment", "1");
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetchHtml(filters.action + "?" + params.toString(), pending.signal)
        .then(function (html) { replaceChildren(results, parse(html)); })
        .catch(function () { /* keep the current results; the Search button still works */ });
    }, 180);
    filters.addEventListener("input", refresh);
    filters.addEventListener("change", refresh);
  }

  /* The review form's vendor picker: type, then choose a match (click, or arrows + Enter). */
  var picker = document.querySelector("[data-picker]");
  if (picker) {
    var input = picker.querySelector("input[name=vendor]");
    var box = picker.querySelector(".picker-options");
    var picked = picker.querySelector(".picked");
    var source = box.getAttribute("data-source");
    var controller = null;

    var lookup = debounce(function () {
      var q = input.value.trim();
      if (!q) { replaceChildren(box, parse("")); return; }
      if (controller) { controller.abort(); }
      controller = new AbortController();
      fetchHtml(source + "?q=" + encodeURIComponent(q), controller.signal)
        .then(function (html) { replaceChildren(box, parse(html)); })
        .catch(function () { /* the server resolves a typed name on submit */ });
    }, 150);

    input.addEventListener("input", function () {
      picked.textContent = "";
      lookup();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        /* Enter picks the first match instead of sending the half-filled form. */
        var best = box.querySelector(".picker-option");
        if (best) { event.preventDefault(); best.click(); }
        return;
      }
      if (event.key === "ArrowDown") {
        var first = box.querySelector(".picker-option");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
    box.addEventListener("keydown", function (event) {
      var options = Array.from(box.querySelectorAll(".picker-option"));
      var index = options.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && index < options.length - 1) { event.preventDefault(); options[index + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (index > 0 ? options[index - 1] : input).focus(); }
      if (event.key === "Escape") { replaceChildren(box, parse("")); input.focus(); }
    });
    box.addEventListener("click", function (event) {
      var option = event.target.closest(".picker-option");
      if (!option) { return; }
      input.value = option.getAttribute("data-slug");
      picked.textContent = "Selected: " + option.getAttribute("data-name");
      replaceChildren(box, parse(""));
      input.focus();
    });
  }
})();
