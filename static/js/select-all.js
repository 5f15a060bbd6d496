// A "select all" box ticks or clears every box that belongs to the same form.
document.addEventListener("change", function (event) {
  var formId = event.target.getAttribute("data-select-all");
  if (!formId) {
    return;
  }
  var boxes = document.querySelectorAll('input[type=checkbox][name=ids][form="' + formId + '"]');
  for (var i = 0; i < boxes.length; i++) {
    boxes[i].checked = event.target.checked;
  }
});
