// The directive form shows the parts of the chosen document type only: "Kính gửi" for a
// công văn or báo cáo ([data-doc-types]), the articles of a quyết định, the body for the
// others ([data-hide-for]). Without scripts every part shows; the server checks each.
document.addEventListener("DOMContentLoaded", function () {
  var select = document.getElementById("id_doc_type");
  if (!select) { return; }
  function apply() {
    var type = select.value;
    document.querySelectorAll("[data-doc-types]").forEach(function (part) {
      part.hidden = part.dataset.docTypes.split(" ").indexOf(type) === -1;
    });
    document.querySelectorAll("[data-hide-for]").forEach(function (part) {
      part.hidden = part.dataset.hideFor.split(" ").indexOf(type) !== -1;
    });
  }
  select.addEventListener("change", apply);
  apply();
});
