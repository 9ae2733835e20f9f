// mmuspec site: small progressive enhancements; the pages work without JS.
(function () {
  "use strict";
  // Permalink on every section heading that has an id.
  document.querySelectorAll("article h2[id], article h3[id], article h4[id]").forEach(function (h) {
    var a = document.createElement("a");
    a.className = "heading-link";
    a.href = "#" + h.id;
    a.setAttribute("aria-label", "Permalink to this section");
    a.textContent = "¶";
    h.appendChild(a);
  });
  // Identifiers in table cells may break after "_", "/" or "." (a
  // <wbr>, which copying ignores), so that a table fits the text column
  // without breaking words anywhere else.
  document.querySelectorAll("article table code").forEach(function (code) {
    var walk = document.createTreeWalker(code, NodeFilter.SHOW_TEXT), texts = [];
    while (walk.nextNode()) texts.push(walk.currentNode);
    texts.forEach(function (t) {
      var parts = t.data.split(/(?<=[_\/.])(?=.)/);
      if (parts.length < 2) return;
      var frag = document.createDocumentFragment();
      parts.forEach(function (p, i) {
        if (i) frag.appendChild(document.createElement("wbr"));
        frag.appendChild(document.createTextNode(p));
      });
      t.parentNode.replaceChild(frag, t);
    });
  });
  // Source view: a click on a line number links to that line (#L12). These
  // are not <a> links so that a long chapter does not carry thousands of them.
  document.querySelectorAll(".source-view").forEach(function (pre) {
    pre.addEventListener("click", function (ev) {
      var n = ev.target.closest(".n");
      if (n && n.parentNode.id) location.hash = n.parentNode.id;
    });
  });
  // Highlight the table-of-contents entry of the section being read.
  var links = {};
  document.querySelectorAll(".toc a[href^='#']").forEach(function (a) {
    links[decodeURIComponent(a.getAttribute("href").slice(1))] = a;
  });
  var heads = Array.prototype.filter.call(
    document.querySelectorAll("article h2[id], article h3[id]"),
    function (h) { return links[h.id]; });
  if (heads.length && "IntersectionObserver" in window) {
    var current = null;
    var obs = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) {
          if (current) current.classList.remove("active");
          current = links[e.target.id];
          current.classList.add("active");
        }
      });
    }, { rootMargin: "0px 0px -70% 0px" });
    heads.forEach(function (h) { obs.observe(h); });
  }
})();
