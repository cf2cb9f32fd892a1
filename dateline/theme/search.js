/* Dateline search: swap the header's search link for a search box, and run
   Pagefind's UI on /search/ (everything is served by this site). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".search-box");
    var link = document.querySelector(".search-link");
    if (form && link) {
      form.hidden = false;
      link.hidden = true;
    }
    var container = document.getElementById("search");
    if (!container || typeof PagefindUI === "undefined") {
      return;
    }
    var ui = new PagefindUI({
      element: "#search",
      bundlePath: container.dataset.bundle,
      baseUrl: container.dataset.base,
      showImages: false,
      showSubResults: false,
      resetStyles: false
    });
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) {
      ui.triggerSearch(query);
      var input = document.getElementById("site-search-q");
      if (input) {
        input.value = query;
      }
    }
  });
})();
