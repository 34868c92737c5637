/* chibo: the small behaviours of the pages, kept out of the templates so that the Content
 * Security Policy can forbid inline scripts (issue 11). No build, no dependencies. Every handler
 * is delegated from the document, so that fragments htmx swaps in later work too.
 *
 *   data-print                 a button that prints the page
 *   data-autosubmit            a <select> that sends its form when changed (the language)
 *   data-tree-toggle="ID"      a tree node's +/− button: opens or closes the list #ID (htmx
 *                              loads the list on the first click, see org/_children.html)
 *   data-clear-offline-pages   on the login page: the meeting pages kept for offline use go
 *                              (unsent changes stay in localStorage for their own account)
 */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-print], [data-tree-toggle]");
    if (!el) return;
    if (el.hasAttribute("data-print")) {
      window.print();
      return;
    }
    var open = el.getAttribute("aria-expanded") === "true";
    el.setAttribute("aria-expanded", String(!open));
    el.textContent = open ? "+" : "\u2212";
    var list = document.getElementById(el.getAttribute("data-tree-toggle"));
    if (list) list.hidden = open;
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.submit();
  });

  if (document.querySelector("[data-clear-offline-pages]") && "caches" in window) {
    caches.delete("chibo-pages-v1");
  }
})();
