// Starts ReDoc on the page's #redoc element; the schema URL is the element's data-openapi.
// A file of its own rather than an inline script: the page's Content-Security-Policy runs only 'self' scripts.
(function () {
  "use strict";
  var root = document.getElementById("redoc");
  Redoc.init(root.dataset.openapi, { hideDownloadButton: false }, root);
})();
