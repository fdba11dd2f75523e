// Centers picked by typing: a <select multiple data-autocomplete="URL"> keeps the chosen
// centers as selected options; this adds a search box above it that asks URL?q=... and
// lists what it finds, and shows the chosen ones as removable badges.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[multiple][data-autocomplete]").forEach(function (select) {
    var url = new URL(select.dataset.autocomplete, window.location.href);
    var box = document.createElement("div");
    box.className = "autocomplete";
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm";
    input.placeholder = select.dataset.placeholder || "";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-label", input.placeholder);
    var results = document.createElement("div");
    results.className = "list-group autocomplete-results";
    var chosen = document.createElement("div");
    chosen.className = "d-flex flex-wrap gap-1 mt-1";
    box.appendChild(input);
    box.appendChild(results);
    box.appendChild(chosen);
    select.parentNode.insertBefore(box, select);
    select.classList.add("d-none");

    function renderChosen() {
      chosen.textContent = "";
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.selected) { return; }
        var badge = document.createElement("span");
        badge.className = "badge text-bg-primary d-inline-flex align-items-center gap-1";
        badge.textContent = option.textContent;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn-close btn-close-white btn-sm";
        remove.setAttribute("aria-label", "×");
        remove.addEventListener("click", function () { option.remove(); renderChosen(); });
        badge.appendChild(remove);
        chosen.appendChild(badge);
      });
    }

    function choose(item) {
      var exists = Array.prototype.some.call(select.options, function (o) { return o.value === String(item.id); });
      if (!exists) {
        var option = new Option(item.text, String(item.id), true, true);
        select.appendChild(option);
      }
      results.textContent = "";
      input.value = "";
      input.focus();
      renderChosen();
    }

    var timer = null;
    var seq = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var term = input.value.trim();
      if (term.length < 2) { results.textContent = ""; return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        url.searchParams.set("q", term);
        fetch(url.toString(), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            if (mine !== seq) { return; }
            results.textContent = "";
            data.results.forEach(function (item) {
              var button = document.createElement("button");
              button.type = "button";
              button.className = "list-group-item list-group-item-action py-1 small";
              button.textContent = item.text + (item.commune ? " · " + item.commune : "");
              button.addEventListener("click", function () { choose(item); });
              results.appendChild(button);
            });
          });
      }, 250);
    });
    input.addEventListener("keydown", function (event) {
      // Enter picks the first result instead of submitting the whole form.
      if (event.key === "Enter") {
        event.preventDefault();
        var first = results.querySelector("button");
        if (first) { first.click(); }
      }
    });
    renderChosen();
  });
});
