// The header's search box: suggestions from /search.json as you type (accent-insensitive, English
// and Spanish labels), chosen with the arrow keys and Enter, or by pointer. Without this script the
// box still submits to /search.
(function () {
  "use strict";
  var form = document.querySelector("form.search");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var list = form.querySelector("ul.suggestions");
  var lang = form.getAttribute("data-lang") || "en";
  var timer = null;
  var active = -1;
  var latest = 0;

  function items() {
    return Array.prototype.slice.call(list.querySelectorAll("li"));
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    var found = items();
    found.forEach(function (item, i) {
      item.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0 && found[index]) input.setAttribute("aria-activedescendant", found[index].id);
    else input.removeAttribute("aria-activedescendant");
  }

  function show(results) {
    while (list.firstChild) list.removeChild(list.firstChild);
    results.forEach(function (result, i) {
      var item = document.createElement("li");
      item.id = "site-search-option-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.setAttribute("data-href", result.href);
      var name = document.createElement("span");
      name.textContent = result.label;
      if (result.lang) name.setAttribute("lang", result.lang);
      item.appendChild(name);
      if (result.kind) {
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = result.kind;
        item.appendChild(kind);
      }
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();
        window.location.href = result.href;
      });
      list.appendChild(item);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    active = -1;
  }

  function suggest() {
    var text = input.value.trim();
    if (text.length < 2) {
      close();
      return;
    }
    var ask = ++latest;
    var params = new URLSearchParams({ q: text });
    if (lang !== "en") params.set("lang", lang);
    fetch("/search.json?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (found) {
        if (ask === latest) show(found.results || []);
      })
      .catch(close);
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, 120);
  });
  input.addEventListener("keydown", function (event) {
    var found = items();
    if (event.key === "ArrowDown" && found.length) {
      event.preventDefault();
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight((active + 1) % found.length);
    } else if (event.key === "ArrowUp" && found.length) {
      event.preventDefault();
      highlight(active <= 0 ? found.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0 && found[active]) {
      event.preventDefault();
      window.location.href = found[active].getAttribute("data-href");
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", function () {
    window.setTimeout(close, 150);
  });
})();
