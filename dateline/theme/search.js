/* Dateline search: swap the header's search link for a search box, and run
   Pagefind's UI on /search/ (everything is served by this site).

   The index is split into shards (pagefind/shards.json lists them, newest
   first), each a Pagefind bundle of its own; Pagefind's UI merges them, so
   one query and every filter cover the whole archive. */
(function () {
  "use strict";

  function showMessage(container, text) {
    var message = document.createElement("p");
    message.className = "search-empty";
    message.textContent = text;
    container.appendChild(message);
  }

  function startSearch(container, shards) {
    var bundle = container.dataset.bundle;
    var base = container.dataset.base;
    var ui = new PagefindUI({
      element: "#search",
      bundlePath: bundle,
      baseUrl: base,
      showImages: false,
      showSubResults: false,
      resetStyles: false,
      mergeIndex: shards.map(function (shard) {
        return {bundlePath: bundle + shard + "/", baseUrl: base};
      })
    });
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) {
      ui.triggerSearch(query);
      var input = document.getElementById("site-search-q");
      if (input) {
        input.value = query;
      }
    }
  }

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
    fetch(container.dataset.bundle + "shards.json", {cache: "no-cache"})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("shards.json: HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (list) {
        // A site in several languages lists each language's shards: a page
        // searches only those of its own language (its <html lang>).
        var shards = list.languages ? (list.languages[document.documentElement.lang] || []) : list.shards;
        if (shards.length === 0) {
          showMessage(container, container.dataset.empty || "There are no stories to search yet.");
        } else {
          startSearch(container, shards);
        }
      })
      .catch(function (error) {
        showMessage(container, (container.dataset.failed || "Search could not start:") + " " + error.message);
      });
  });
})();
