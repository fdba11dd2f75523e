// Small behaviours kept out of the templates so the CSP can forbid inline scripts.
document.addEventListener("DOMContentLoaded", function () {
  // Progress bars take their width from data-progress (inline styles are blocked by CSP).
  document.querySelectorAll("[data-progress]").forEach(function (bar) {
    bar.style.width = bar.dataset.progress + "%";
  });
  // Print buttons (receipts): window.print() from here, never from an inline handler.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Forms that cannot be undone (delete a draft, issue a correction) ask first.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
  // "Select all on this page": ticks every checkbox named by data-check-all.
  document.querySelectorAll("input[data-check-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll('input[type="checkbox"][name="' + all.dataset.checkAll + '"]').forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });
  // Filter selects submit their form at once.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
document.body.addEventListener("htmx:afterSwap", function (event) {
  event.detail.target.querySelectorAll("[data-progress]").forEach(function (bar) {
    bar.style.width = bar.dataset.progress + "%";
  });
});
