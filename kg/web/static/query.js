// The query page: YASQE (the vendored editor) against this server's /sparql, and results drawn
// by this file's own views: a table that shows labels (the IRI on hover; one click opens the
// IRI's page) and a timeline for answers that hold dates. The address bar holds the query:
// every run writes /query?query=..., so Back, reload, bookmarks and shared links show the query
// that produced the results, and a page opened with ?query= runs it (never an update).
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var holder = document.getElementById("editor");
  var resultsEl = document.getElementById("results");
  if (!form || !holder || typeof Yasgui === "undefined") {
    return;
  }
  document.documentElement.classList.add("js");
  var Yasqe = Yasgui.Yasqe;
  var Yasr = Yasgui.Yasr;
  var lang = form.getAttribute("data-lang") || "en";
  var es = lang === "es";
  var examples = JSON.parse(document.getElementById("example-queries").textContent);
  var prefixes = JSON.parse(document.getElementById("prefixes").textContent);
  var textarea = document.getElementById("query-text");
  var status = document.getElementById("editor-status");
  var base = "https://w3id.org/peru-ecuador-kg/";
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var DATE_TYPES = [XSD + "date", XSD + "dateTime", XSD + "gYearMonth", XSD + "gYear"];

  function t(english, spanish) {
    return es ? spanish : english;
  }

  // ---- Showing terms: labels for IRIs, plain text for literals --------------------------------

  function compact(iri) {
    var best = null;
    Object.keys(prefixes).forEach(function (prefix) {
      var ns = prefixes[prefix];
      if (iri.indexOf(ns) === 0 && (best === null || ns.length > prefixes[best].length)) {
        best = prefix;
      }
    });
    return best === null ? iri : best + ":" + iri.slice(prefixes[best].length);
  }

  function hrefOf(iri) {
    if (iri.indexOf(base) === 0) {
      var path = "/" + iri.slice(base.length);
      return es ? path + (path.indexOf("?") < 0 ? "?" : "&") + "lang=es" : path;
    }
    return /^https?:\/\//i.test(iri) ? iri : null;
  }

  var labelCache = {};

  function fetchLabels(iris) {
    var wanted = iris.filter(function (iri) {
      return !(iri in labelCache);
    });
    var batches = [];
    for (var i = 0; i < wanted.length && i < 400; i += 100) {
      batches.push(wanted.slice(i, i + 100));
    }
    return Promise.all(
      batches.map(function (batch) {
        var params = new URLSearchParams();
        batch.forEach(function (iri) {
          params.append("iri", iri);
        });
        if (es) params.append("lang", "es");
        return fetch("/labels.json?" + params.toString(), { headers: { Accept: "application/json" } })
          .then(function (response) {
            return response.ok ? response.json() : { labels: {} };
          })
          .then(function (found) {
            batch.forEach(function (iri) {
              labelCache[iri] = found.labels[iri] || null;
            });
          });
      })
    ).catch(function () {
      return null;
    });
  }

  function iriElement(iri) {
    var target = hrefOf(iri);
    var element = document.createElement(target ? "a" : "span");
    if (target) element.setAttribute("href", target);
    if (target && iri.indexOf(base) !== 0) element.setAttribute("rel", "external noopener");
    element.className = "iri";
    element.setAttribute("title", iri);
    element.setAttribute("data-iri", iri);
    element.textContent = compact(iri);
    return element;
  }

  function applyLabels(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-iri]"), function (element) {
      var found = labelCache[element.getAttribute("data-iri")];
      if (found && found.label) {
        element.textContent = found.label;
        if (found.lang && found.lang !== lang) element.setAttribute("lang", found.lang);
      }
    });
  }

  function termElement(term) {
    if (!term) return document.createTextNode("");
    if (term.type === "uri") return iriElement(term.value);
    if (term.type === "bnode") {
      var node = document.createElement("span");
      node.className = "bnode";
      node.textContent = "_:" + term.value;
      return node;
    }
    var span = document.createElement("span");
    span.className = "literal";
    span.textContent = term.value;
    var tag = term["xml:lang"];
    // The datatype and language are one hover away; a language other than the page's is shown.
    if (tag) span.setAttribute("title", "@" + tag);
    else if (term.datatype) span.setAttribute("title", compact(term.datatype));
    if (tag && tag !== lang) {
      span.setAttribute("lang", tag);
      var small = document.createElement("span");
      small.className = "lang";
      small.setAttribute("aria-hidden", "true");
      small.textContent = tag;
      var both = document.createElement("span");
      both.appendChild(span);
      both.appendChild(small);
      return both;
    }
    return span;
  }

  function bindingsOf(yasr) {
    var results = yasr.results;
    if (!results || results.hasError() || results.getBoolean() !== undefined) return null;
    return { vars: results.getVariables() || [], rows: results.getBindings() || [] };
  }

  // The answer as CSV (a header of the variables, a line a row, plain values), for the views that
  // draw bindings; YASR's download button calls a view's download().
  function csvDownload(yasr) {
    if (!bindingsOf(yasr)) return undefined;
    return {
      getData: function () {
        return yasr.results.asCsv();
      },
      contentType: "text/csv",
      title: t("Download the answer (CSV)", "Descargar la respuesta (CSV)"),
      filename: "answer.csv",
    };
  }

  // ---- The table view --------------------------------------------------------------------------

  var MAX_ROWS = 2000;

  function LabelledTable(yasr) {
    this.yasr = yasr;
    this.label = t("Table", "Tabla");
    this.priority = 20;
  }
  LabelledTable.prototype.canHandleResults = function () {
    var results = this.yasr.results;
    return !!results && !results.hasError() && (!!results.getBindings() || results.getBoolean() !== undefined);
  };
  LabelledTable.prototype.download = function () {
    return csvDownload(this.yasr);
  };
  LabelledTable.prototype.getIcon = function () {
    var icon = document.createElement("span");
    icon.textContent = "▦";
    icon.setAttribute("aria-hidden", "true");
    return icon;
  };
  LabelledTable.prototype.draw = function () {
    var root = document.createElement("div");
    root.className = "kg-results";
    var boolean = this.yasr.results.getBoolean();
    if (boolean !== undefined) {
      root.textContent = boolean ? t("Yes (true)", "Sí (true)") : t("No (false)", "No (false)");
      this.yasr.resultsEl.appendChild(root);
      return Promise.resolve();
    }
    var found = bindingsOf(this.yasr);
    var count = document.createElement("p");
    count.className = "count";
    var shown = Math.min(found.rows.length, MAX_ROWS);
    count.textContent =
      found.rows.length === 1 ? t("1 row", "1 fila") : found.rows.length + t(" rows", " filas");
    if (shown < found.rows.length) count.textContent += t(", the first ", ", las primeras ") + shown + t(" shown", " se muestran");
    root.appendChild(count);
    var table = document.createElement("table");
    table.className = "stack";
    var head = table.createTHead().insertRow();
    found.vars.forEach(function (name) {
      var th = document.createElement("th");
      th.setAttribute("scope", "col");
      th.textContent = name;
      head.appendChild(th);
    });
    var body = table.createTBody();
    var iris = {};
    found.rows.slice(0, MAX_ROWS).forEach(function (binding) {
      var row = body.insertRow();
      found.vars.forEach(function (name) {
        var cell = row.insertCell();
        cell.setAttribute("data-label", name);
        var term = binding[name];
        if (term && term.type === "uri") iris[term.value] = true;
        cell.appendChild(termElement(term));
      });
    });
    root.appendChild(table);
    this.yasr.resultsEl.appendChild(root);
    return fetchLabels(Object.keys(iris)).then(function () {
      applyLabels(root);
    });
  };

  // ---- The timeline view: any answer that holds dates ------------------------------------------

  var DAY = 86400000;
  var GAP = 4 * 365 * DAY;
  var PAD = 60 * DAY;
  var MARGIN = 3;
  var BREAK = 4;
  var SVG = "http://www.w3.org/2000/svg";
  var LAYERS = {};
  LAYERS[base + "ontology/ClaimStatement"] = "tl-claimed";
  LAYERS[base + "ontology/VerifiedStatement"] = "tl-verified";

  function dateBounds(term) {
    if (!term || term.type === "uri" || DATE_TYPES.indexOf(term.datatype) < 0) return null;
    var m = /^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(term.value);
    if (!m) return null;
    var year = +m[1];
    var month = term.datatype === XSD + "gYear" || !m[2] ? null : +m[2];
    var day = month === null || term.datatype === XSD + "gYearMonth" || !m[3] ? null : +m[3];
    var first = Date.UTC(year, month === null ? 0 : month - 1, day === null ? 1 : day);
    var last =
      month === null ? Date.UTC(year, 11, 31) : day === null ? Date.UTC(year, month, 0) : first;
    return [first, last];
  }

  function stretches(days) {
    days.sort(function (a, b) {
      return a - b;
    });
    var groups = [[days[0]]];
    days.slice(1).forEach(function (day) {
      var group = groups[groups.length - 1];
      if (day - group[group.length - 1] > GAP) groups.push([day]);
      else group.push(day);
    });
    var spans = groups.map(function (g) {
      return [g[0] - PAD, g[g.length - 1] + PAD];
    });
    var usable = 100 - 2 * MARGIN - BREAK * (spans.length - 1);
    var total = spans.reduce(function (sum, s) {
      return sum + (s[1] - s[0]);
    }, 0);
    var floor = Math.min(usable / 5, usable / spans.length);
    var extra = usable - floor * spans.length;
    var left = MARGIN;
    return spans.map(function (s) {
      var width = floor + (extra * (s[1] - s[0])) / total;
      var stretch = { first: s[0], last: s[1], left: left, right: left + width };
      left += width + BREAK;
      return stretch;
    });
  }

  function position(parts, day) {
    for (var i = 0; i < parts.length; i++) {
      var s = parts[i];
      if (day <= s.last) {
        var at = Math.max(day, s.first);
        return s.left + ((s.right - s.left) * (at - s.first)) / (s.last - s.first || 1);
      }
    }
    return parts[parts.length - 1].right;
  }

  function svg(name, attributes) {
    var element = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) {
      element.setAttribute(key, attributes[key]);
    });
    return element;
  }

  function Timeline(yasr) {
    this.yasr = yasr;
    this.label = t("Timeline", "Cronología");
    this.priority = 10;
  }
  Timeline.prototype.canHandleResults = function () {
    var found = this.yasr.results && bindingsOf(this.yasr);
    if (!found) return false;
    return found.rows.some(function (row) {
      return found.vars.some(function (name) {
        return dateBounds(row[name]) !== null;
      });
    });
  };
  Timeline.prototype.download = function () {
    return csvDownload(this.yasr);
  };
  Timeline.prototype.getIcon = function () {
    var icon = document.createElement("span");
    icon.textContent = "⟿";
    icon.setAttribute("aria-hidden", "true");
    return icon;
  };
  Timeline.prototype.draw = function () {
    var found = bindingsOf(this.yasr);
    var dateVars = found.vars.filter(function (name) {
      return found.rows.some(function (row) {
        return dateBounds(row[name]) !== null;
      });
    });
    var rows = [];
    var days = [];
    var iris = {};
    found.rows.slice(0, 300).forEach(function (binding) {
      var marks = [];
      dateVars.forEach(function (name, index) {
        var span = dateBounds(binding[name]);
        if (span) marks.push({ name: name, index: index, first: span[0], last: span[1] });
      });
      if (!marks.length) return;
      if (marks.length === 2 && dateVars.length === 2 && marks[0].first <= marks[1].last) {
        marks = [{ name: marks[0].name + " – " + marks[1].name, index: 0, first: marks[0].first, last: marks[1].last }];
      }
      marks.forEach(function (mark) {
        days.push(mark.first, mark.last);
      });
      // A row that names its layer (the article's statement or a verified one) is drawn as
      // the story's timeline draws them.
      var layer = found.vars
        .map(function (name) {
          return binding[name] && binding[name].type === "uri" ? LAYERS[binding[name].value] : null;
        })
        .filter(Boolean)[0];
      if (layer) {
        marks.forEach(function (mark) {
          mark.kind = layer;
        });
      }
      var labelVar = found.vars.filter(function (name) {
        return dateVars.indexOf(name) < 0 && binding[name];
      })[0];
      var label = labelVar ? binding[labelVar] : null;
      if (label && label.type === "uri") iris[label.value] = true;
      rows.push({ label: label, binding: binding, marks: marks });
    });
    var root = document.createElement("div");
    root.className = "kg-results";
    if (!rows.length) {
      this.yasr.resultsEl.appendChild(root);
      return Promise.resolve();
    }
    var parts = stretches(days);
    var figure = document.createElement("figure");
    figure.className = "timeline";
    var legend = document.createElement("figcaption");
    legend.className = "tl-legend";
    var layered = rows.some(function (row) {
      return row.marks.some(function (mark) {
        return mark.kind;
      });
    });
    var keys = layered
      ? [
          ["tl-verified", t("verified by sources", "verificado por fuentes")],
          ["tl-claimed", t("as the article says it", "como lo dice el artículo")],
        ]
      : (dateVars.length === 2 ? [dateVars.join(" – ")] : dateVars).map(function (name, index) {
          return ["tl-var" + (index % 4), name];
        });
    keys.forEach(function (key) {
      var item = document.createElement("span");
      var swatch = svg("svg", { width: "22", height: "12", "aria-hidden": "true" });
      swatch.appendChild(svg("rect", { class: key[0], x: "1", y: "1", width: "20", height: "10", rx: "2" }));
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(key[1]));
      legend.appendChild(item);
    });
    figure.appendChild(legend);
    var axis = svg("svg", { class: "tl-axis", width: "100%", height: "22", "aria-hidden": "true" });
    axis.appendChild(svg("line", { x1: "0", x2: "100%", y1: "21", y2: "21", class: "tl-baseline" }));
    parts.forEach(function (part) {
      var firstYear = new Date(part.first).getUTCFullYear() + 1;
      var lastYear = new Date(part.last).getUTCFullYear();
      var step = lastYear - firstYear > 6 ? (lastYear - firstYear > 40 ? 20 : 5) : 1;
      for (var year = firstYear; year <= lastYear; year++) {
        if (year % step !== 0) continue;
        var x = position([part], Date.UTC(year, 0, 1)).toFixed(2) + "%";
        axis.appendChild(svg("line", { x1: x, x2: x, y1: "15", y2: "21", class: "tl-tick" }));
        var label = svg("text", { x: x, y: "12", "text-anchor": "middle", class: "tl-year" + (year % (2 * step) ? " minor" : "") });
        label.textContent = String(year);
        axis.appendChild(label);
      }
    });
    figure.appendChild(axis);
    var list = document.createElement("ol");
    list.className = "tl-rows";
    rows.forEach(function (row) {
      var item = document.createElement("li");
      var caption = document.createElement("span");
      caption.className = "tl-label";
      caption.appendChild(termElement(row.label));
      var words = document.createElement("span");
      words.className = "tl-words";
      words.textContent =
        " " +
        dateVars
          .filter(function (name) {
            return row.binding[name];
          })
          .map(function (name) {
            return name + ": " + row.binding[name].value;
          })
          .join(" · ");
      caption.appendChild(words);
      item.appendChild(caption);
      var strip = svg("svg", { class: "tl-strip", width: "100%", height: "16", "aria-hidden": "true" });
      row.marks.forEach(function (mark) {
        var left = position(parts, mark.first);
        var right = position(parts, mark.last + DAY);
        var kind = mark.kind || "tl-var" + (mark.index % 4);
        if (mark.first === mark.last) {
          strip.appendChild(svg("circle", { class: kind, cx: left.toFixed(2) + "%", cy: "8", r: "5" }));
        } else {
          var width = Math.max(right - left, 0.8);
          strip.appendChild(svg("rect", { class: kind, x: left.toFixed(2) + "%", width: width.toFixed(2) + "%", y: "3", height: "10", rx: "2" }));
        }
      });
      item.appendChild(strip);
      list.appendChild(item);
    });
    figure.appendChild(list);
    root.appendChild(figure);
    this.yasr.resultsEl.appendChild(root);
    return fetchLabels(Object.keys(iris)).then(function () {
      applyLabels(root);
    });
  };

  // ---- The raw answer, with its label in the page's language -----------------------------------

  class RawResponse extends Yasr.plugins.response {
    constructor(yasr) {
      super(yasr);
      this.label = t("Response", "Respuesta");
    }

    download(name) {
      var found = super.download(name);
      if (found) found.title = t("Download the response as the endpoint sent it", "Descargar la respuesta tal como la envió el punto de acceso");
      return found;
    }
  }

  Yasr.registerPlugin("kgTable", LabelledTable);
  Yasr.registerPlugin("kgTimeline", Timeline);
  Yasr.registerPlugin("kgResponse", RawResponse);

  // ---- The editor and the results, wired to the address bar ------------------------------------

  holder.hidden = false;
  var endpoint = new URL("/sparql", window.location.href).href;
  var yasqe = new Yasqe(holder, {
    value: textarea.value,
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
    },
    persistenceId: null,
    autofocus: false,
    // The editor grows with its text (no scroll box of its own), and wraps long lines.
    resizeable: false,
    viewportMargin: Infinity,
    lineWrapping: true,
    // The class and property autocompleters ask lov.linkeddata.es: nothing leaves this server.
    autocompleters: ["prefixes", "variables"],
    showQueryButton: false,
    createShareableLink: function (editor) {
      return new URL(addressFor(editor.getValue()), window.location.href).href;
    },
  });
  // Tab moves focus out of the editor, as everywhere else on the page; Ctrl+] indents.
  yasqe.setOption(
    "extraKeys",
    Object.assign({}, yasqe.getOption("extraKeys"), { Tab: false, "Shift-Tab": false })
  );
  yasqe.getInputField().setAttribute("aria-label", t("SPARQL query", "Consulta SPARQL"));
  // The editor's own buttons, named in the page's language.
  function rename(selector, english, spanish) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (element) {
      element.setAttribute("title", t(english, spanish));
      element.setAttribute("aria-label", t(english, spanish));
    });
  }

  rename(".yasqe_share", "Share this query (a link)", "Compartir esta consulta (un enlace)");
  resultsEl.hidden = true;
  var yasr = new Yasr(resultsEl, {
    persistenceId: null,
    prefixes: prefixes,
    pluginOrder: ["kgTable", "kgTimeline", "kgResponse"],
    defaultPlugin: "kgTable",
    // YASR draws every configured plugin that is not false: only this page's views, and errors.
    plugins: { table: false, response: false, boolean: false },
  });

  // YASR names its controls in English after each drawing: the views' buttons ("Shows Table
  // view"), the download button, and the note when the chosen view cannot draw an answer.
  function nameResultControls() {
    Array.prototype.forEach.call(resultsEl.querySelectorAll(".yasr_btnGroup .yasr_btn"), function (button) {
      button.removeAttribute("aria-label");
    });
    Array.prototype.forEach.call(resultsEl.querySelectorAll(".yasr_downloadIcon"), function (button) {
      button.setAttribute("aria-label", t("Download the answer", "Descargar la respuesta"));
      if (button.classList.contains("disabled")) {
        button.setAttribute("title", t("This view has nothing to download", "Esta vista no tiene nada que descargar"));
      }
    });
    var fallback = resultsEl.querySelector(".yasr_fallback_info");
    var chosen = yasr.getSelectedPlugin();
    var drawn = yasr.plugins[yasr.drawnPlugin];
    if (fallback && fallback.textContent && chosen && drawn) {
      fallback.textContent = t(
        "This answer cannot be shown as a " + chosen.label.toLowerCase() + ": here it is as a " + drawn.label.toLowerCase() + ".",
        "Esta respuesta no se puede mostrar como " + chosen.label.toLowerCase() + ": aquí está como " + drawn.label.toLowerCase() + "."
      );
    }
  }
  yasr.on("drawn", function () {
    // After YASR's own updates of its header, which follow this event.
    window.setTimeout(nameResultControls, 0);
  });

  function addressFor(text) {
    var params = new URLSearchParams();
    params.set("query", text);
    if (es) params.set("lang", "es");
    return "/query?" + params.toString();
  }

  var pushNext = true;
  yasqe.on("query", function () {
    status.textContent = t("Running…", "Ejecutando…");
    var address = addressFor(yasqe.getValue());
    var here = window.location.pathname + window.location.search;
    if (address !== here) {
      var state = { query: yasqe.getValue() };
      if (pushNext) window.history.pushState(state, "", address);
      else window.history.replaceState(state, "", address);
    }
    pushNext = true;
  });
  yasqe.on("queryResponse", function (_editor, response, duration) {
    resultsEl.hidden = false;
    yasr.setResponse(response, duration);
    var results = yasr.results;
    if (results && results.hasError()) {
      status.textContent = t("The endpoint refused the query: see below.", "El punto de acceso rechazó la consulta: vea abajo.");
    } else {
      status.textContent = t("Answered in ", "Respondida en ") + duration + " ms";
    }
  });

  function run(text, push) {
    yasqe.setValue(text);
    pushNext = push;
    if (yasqe.getQueryMode() === "query") {
      yasqe.query().catch(function () {
        return null;
      });
    } else {
      status.textContent = t("An update is never run from a link: press Run.", "Una actualización nunca se ejecuta desde un enlace: pulse Ejecutar.");
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    pushNext = true;
    yasqe.query().catch(function () {
      return null;
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("a.example"), function (link) {
    link.addEventListener("click", function (event) {
      var found = examples[link.getAttribute("data-name")];
      if (!found || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      run(found.query, true);
      form.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  });

  window.addEventListener("popstate", function (event) {
    var text = event.state && event.state.query;
    if (text === undefined || text === null) {
      text = new URLSearchParams(window.location.search).get("query");
    }
    if (text !== null && text !== undefined) run(text, false);
  });

  if (form.getAttribute("data-run") === "yes") {
    run(textarea.value, false);
  }
  window.kgQueryEditor = { yasqe: yasqe, yasr: yasr };
})();
