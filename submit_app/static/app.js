/* Progressive enhancement of the forms; everything works without it. */
(function () {
  "use strict";
  // Move focus to the error summary, else to the preview, so screen readers announce it.
  var target = document.getElementById("erreurs") || document.getElementById("apercu");
  if (target) { target.focus(); }

  // Suggestions for commune and sector inputs, through a native <datalist>.
  var inputs = document.querySelectorAll("input[data-suggest]");
  Array.prototype.forEach.call(inputs, function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var asked = "";
    if (!list || !window.fetch) { return; }
    input.addEventListener("input", function () {
      var query = input.value.trim();
      var known = Array.prototype.some.call(list.options, function (o) { return o.value === query; });
      if (query.length < 2 || query === asked || known) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        asked = query;
        fetch("/api/" + input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(query),
              { headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            if (input.value.trim() !== query) { return; }
            while (list.firstChild) { list.removeChild(list.firstChild); }
            items.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.value;
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are optional */ });
      }, 200);
    });
  });
}());
