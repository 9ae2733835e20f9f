// Search page: Pagefind's UI over the index built by `make site`.
// Needs HTTP (make serve); over file:// the index cannot be loaded.
(function () {
  "use strict";
  var box = document.getElementById("search");
  var note = document.getElementById("search-note");
  if (location.protocol === "file:") {
    note.textContent = "Search needs the site to be served over HTTP: run `make serve`.";
    return;
  }
  var ui = new PagefindUI({ element: "#search", showSubResults: true, showImages: false,
                            resetStyles: false });
  var q = new URLSearchParams(location.search).get("q");
  if (q) ui.triggerSearch(q);
  note.textContent = "";
})();
