// The query editor: YASGUI (vendored) against this server's /sparql, with the example queries
// one click away and IRIs minted here linking to this server's own pages.
(function () {
  "use strict";
  var holder = document.getElementById("yasgui");
  if (!holder || typeof Yasgui === "undefined") {
    return;
  }
  var base = holder.getAttribute("data-base");
  var endpoint = new URL(holder.getAttribute("data-endpoint"), window.location.href).href;
  var examples = JSON.parse(document.getElementById("example-queries").textContent);

  // A minted IRI opens its local page, whatever host serves this page: every link the results
  // table draws to an IRI under the base is pointed at the same path on this server.
  Yasgui.Yasr.plugins.table.defaults.openIriInNewWindow = false;
  function localize(root) {
    Array.prototype.forEach.call(root.querySelectorAll("a[href]"), function (anchor) {
      var target = anchor.getAttribute("href");
      if (target.indexOf(base) === 0) {
        anchor.setAttribute("href", "/" + target.slice(base.length));
        anchor.setAttribute("title", target);
        anchor.removeAttribute("target");
      }
    });
  }
  new MutationObserver(function () {
    localize(holder);
  }).observe(holder, { childList: true, subtree: true });

  var names = Object.keys(examples);
  var yasgui = new Yasgui(holder, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
    },
    persistenceId: null,
    populateFromUrl: true,
    autofocus: false,
    // The class and property autocompleters ask lov.linkeddata.es: nothing leaves this server.
    yasqe: { autocompleters: ["prefixes", "variables"], persistenceId: null, autofocus: false },
    yasr: { persistenceId: null },
  });

  var tab = yasgui.getTab();
  tab.setEndpoint(endpoint);
  if (names.length && !new URLSearchParams(window.location.search).has("query")) {
    tab.setQuery(examples[names[0]].query);
  }

  function run(name) {
    var current = yasgui.getTab();
    current.setName(examples[name].title.slice(0, 40));
    current.setQuery(examples[name].query);
    current.query();
    holder.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  Array.prototype.forEach.call(document.querySelectorAll("button.example"), function (button) {
    button.addEventListener("click", function () {
      run(button.getAttribute("data-name"));
    });
  });
  window.kgQueryEditor = yasgui;
})();
